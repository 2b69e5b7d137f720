// POST email-follow-up {now?} with X-Email-Job-Secret — called by the scheduled job (pg_cron → pg_net, ADR 0014):
// sends the due emails, one Idempotency-Key (the email's id) per email across every retry, and records each
// outcome. The secret is checked by the database (the claim RPC); a wrong one is a 401 and sends nothing.
import { z } from 'zod';
import { emailSettings, sendEmail } from '../_shared/email-transport.ts';
import { errorResponse, HttpError, json, readJson } from '../_shared/http.ts';
import { adminClient } from '../_shared/supabase.ts';
import { type ClaimedEmail, compose } from './compose.ts';

const request = z.object({ now: z.iso.datetime({ offset: true }).optional() }).strict();

export async function handler(req: Request): Promise<Response> {
  try {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
    const secret = req.headers.get('x-email-job-secret');
    if (!secret) throw new HttpError(401, 'unauthorized', 'The email job secret is missing.');
    const parsed = request.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, 'invalid_request', 'The body is {} or {"now": "<ISO time>"}.');
    const now = parsed.data.now ?? new Date().toISOString();
    const db = adminClient();
    const claim = await db.rpc('email_job_claim', { p_secret: secret, p_now: now });
    if (claim.error) {
      if (claim.error.code === 'PLJ01') throw new HttpError(401, 'unauthorized', 'Wrong email job secret.');
      throw claim.error;
    }
    const settings = emailSettings();
    const counts = { sent: 0, retrying: 0, failed: 0 };
    for (const email of claim.data as ClaimedEmail[]) {
      const content = compose(email);
      const outcome =
        typeof settings === 'string'
          ? { ok: false as const, permanent: false, reason: settings }
          : await sendEmail(settings, { idempotencyKey: email.id, fromName: email.company, to: email.to, replyTo: email.replyTo, ...content });
      const result = await db.rpc('email_job_result', {
        p_secret: secret,
        p_id: email.id,
        p_ok: outcome.ok,
        p_provider_id: outcome.ok ? outcome.id : null,
        p_error: outcome.ok ? null : outcome.reason,
        p_permanent: outcome.ok ? false : outcome.permanent,
        p_now: now,
      });
      if (result.error) throw result.error;
      if (outcome.ok) counts.sent++;
      else if (outcome.permanent) counts.failed++;
      else counts.retrying++;
    }
    return json(counts, 200);
  } catch (err) {
    return errorResponse(err, {});
  }
}
