// POST widget-identify?key=pk_… {userId?, userHash?, name?, email?} — Porchlight.identify(), and the email the
// widget asks for while away. A userId with a userHash that signs it (HMAC-SHA256 under the widget's identity
// secret) links this browser's visitor to the verified person and answers their earlier conversations; a wrong
// hash is refused (403) and changes nothing; without a hash the call only fills an unverified row's name/email,
// and when the widget requires verification an unsigned userId is refused (403). ADR 0013.
// GET widget-identify?key=pk_…&conversationId=… — an earlier conversation of the verified person (any device).

import { withAttachments } from '../_shared/attachments.ts';
import { toMessage } from '../_shared/contract.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { verifyUserHash } from '../_shared/identity.ts';
import { identifyRequest, invalidInput, personMessagesQuery } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';
import { requireVisitor } from '../_shared/visitor.ts';

const refused = (code: string, message: string) => new HttpError(403, code, message);

function identifyError(error: { code?: string; message?: string; details?: string | null }): Error {
  if (error.code === 'PLI03') return refused('identity_verification_required', 'This chat accepts only verified identify() calls: pass userHash, HMAC-SHA256 of userId under the identity secret.');
  if (error.code === 'PLI09') return new HttpError(409, 'identity_conflict', 'This browser is already identified as another user; sign the visitor out of the chat first.');
  return dbError(error, 'identify');
}

export const handler = widgetEndpoint({ methods: ['GET', 'POST'] }, async ({ req, url, widget, origin }) => {
  const user = requireVisitor(req);
  const db = adminClient();
  if (req.method === 'GET') {
    const parsed = personMessagesQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw invalidInput(parsed.error);
    const { data, error } = await db.rpc('widget_person_messages', { p_widget_key: widget.widget_key, p_origin: origin, p_user_id: user.id, p_conversation_id: parsed.data.conversationId });
    if (error) throw dbError(error, 'earlier conversation');
    const rows = await withAttachments(db, (data as { messages: Record<string, unknown>[] }).messages);
    return json({ messages: rows.map(toMessage) }, 200);
  }
  const parsed = identifyRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { userId, userHash, name, email } = parsed.data;
  let verified = false;
  if (userId && userHash) {
    const { data: secret, error } = await db.rpc('widget_identity_secret', { p_company_id: widget.company_id });
    if (error) throw dbError(error, 'identity secret');
    verified = await verifyUserHash(typeof secret === 'string' ? secret : null, userId, userHash);
    // A wrong signature is never taken as an unverified call: it changes nothing at all.
    if (!verified) throw refused('identity_invalid', 'userHash does not sign this userId with this widget\'s identity secret.');
  } else if (userId && widget.require_verification) {
    throw refused('identity_verification_required', 'This chat accepts only verified identify() calls: pass userHash, HMAC-SHA256 of userId under the identity secret.');
  }
  const { data, error } = await db.rpc('widget_identify', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_external_id: userId ?? null,
    p_name: name ?? null,
    p_email: email ?? null,
    p_verified: verified,
  });
  if (error) throw identifyError(error);
  return json(data, 200);
});
