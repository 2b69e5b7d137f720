// POST widget-resume?key=pk_… {token} — the visitor opened an emailed continuity link (ADR 0014). The database
// checks key, origin, signature, expiry and single use, and gives the link's conversation to this visitor's
// session; any refusal is one 404 and changes nothing.
import { z } from 'zod';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { adminClient } from '../_shared/supabase.ts';
import { requireVisitor } from '../_shared/visitor.ts';

const resumeRequest = z.object({ token: z.string().min(1).max(200).regex(/^[0-9a-f-]{36}\.[0-9]{1,12}\.[A-Za-z0-9_-]{43}$/) }).strict();
const invalid = () => new HttpError(404, 'continuity_token_invalid', 'This link is not valid any more. Start a new chat instead.');

export const handler = widgetEndpoint({ methods: ['POST'] }, async ({ req, widget, origin }) => {
  const user = requireVisitor(req);
  const parsed = resumeRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalid();
  const { data, error } = await adminClient().rpc('widget_resume', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_token: parsed.data.token,
  });
  if (error) {
    if (error.code === 'PLT01') throw invalid();
    throw dbError(error, 'resume');
  }
  return json({ conversationId: data as string }, 200);
});
