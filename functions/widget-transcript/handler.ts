// POST widget-transcript?key=pk_… {conversationId} — the visitor asks for their resolved conversation's transcript
// by email (ADR 0014). The database checks key, origin and ownership, queues the email once per ten minutes and
// kicks the email job; the answer is the email's state.
import { z } from 'zod';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { invalidInput } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';
import { requireVisitor } from '../_shared/visitor.ts';

const transcriptRequest = z.object({ conversationId: z.string().uuid() }).strict();

export const handler = widgetEndpoint({ methods: ['POST'] }, async ({ req, widget, origin }) => {
  const user = requireVisitor(req);
  const parsed = transcriptRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { data, error } = await adminClient().rpc('widget_request_transcript', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_conversation_id: parsed.data.conversationId,
  });
  if (error) {
    if (error.code === 'PLE22') throw new HttpError(409, 'transcript_unavailable', 'A transcript can be emailed once the conversation is resolved, to an email you left.');
    throw dbError(error, 'transcript');
  }
  const email = data as { id: string; status: string; created: boolean };
  return json({ transcript: { id: email.id, status: email.status } }, email.created ? 201 : 200);
});
