// POST widget-seen?key=pk_… {conversationId, messageId} — the visitor saw their conversation up to a message.
// Sent by the widget only while its panel is open and the page visible. The database checks key, origin,
// company and ownership, moves the visitor's read mark forward only, and announces a moved mark once.
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { invalidInput, seenRequest } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';
import { utcMicros } from '../_shared/time.ts';
import { requireVisitor } from '../_shared/visitor.ts';

export const handler = widgetEndpoint({ methods: ['POST'] }, async ({ req, widget, origin }) => {
  const user = requireVisitor(req);
  const parsed = seenRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { data, error } = await adminClient().rpc('widget_mark_seen', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_conversation_id: parsed.data.conversationId,
    p_message_id: parsed.data.messageId,
  });
  if (error) {
    if (error.code === 'PLS04') throw new HttpError(404, 'message_not_found', 'That message is not part of this conversation.');
    throw dbError(error, 'seen');
  }
  const mark = data as { message_id: string | null; at: string | null };
  return json({ seen: { messageId: mark.message_id, at: mark.at ? utcMicros(mark.at) : null } }, 200);
});
