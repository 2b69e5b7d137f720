// POST meta-delivery-job {now?} with X-Job-Secret — called by the scheduled job (pg_cron → pg_net, as the email
// job): sends again the Messenger/Instagram replies whose planned retry is due, one Send API call each, and records
// each outcome (deliver.ts plans the next retry or gives up). The secret is checked by the claim RPC; a wrong one
// is a 401 and sends nothing.
import { z } from 'zod';
import { errorResponse, HttpError, json, readJson } from '../_shared/http.ts';
import { deliver, type Reply } from '../_shared/meta/deliver.ts';
import { adminClient } from '../_shared/supabase.ts';

const request = z.object({ now: z.iso.datetime({ offset: true }).optional() }).strict();
/** Replies per run: each waits for at most one Send API call (10 s timeout), all at once. */
const PER_RUN = 10;

export async function handler(req: Request): Promise<Response> {
  try {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
    const secret = req.headers.get('x-job-secret');
    if (!secret) throw new HttpError(401, 'unauthorized', 'The job secret is missing.');
    const parsed = request.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, 'invalid_request', 'The body is {} or {"now": "<ISO time>"}.');
    const now = new Date(parsed.data.now ?? Date.now());
    const db = adminClient();
    const claim = await db.rpc('meta_delivery_job_claim', { p_secret: secret, p_now: now.toISOString(), p_limit: PER_RUN });
    if (claim.error) {
      if (claim.error.code === 'PLJ01') throw new HttpError(401, 'unauthorized', 'Wrong job secret.');
      throw claim.error;
    }
    const ids = (claim.data ?? []) as string[];
    const counts = { sent: 0, retrying: 0, failed: 0 };
    if (ids.length === 0) return json(counts, 200);
    const { data: rows, error } = await db.from('messages').select('id, body, conversation_id, company_id, conversations!inner(visitor_id)').in('id', ids);
    if (error) throw error;
    await Promise.all(
      ((rows ?? []) as (Reply & { conversations: { visitor_id: string } })[]).map(async ({ conversations, ...reply }) => {
        try {
          await deliver(reply, conversations.visitor_id, { tries: 1, background: true, now });
          counts.sent++;
        } catch (err) {
          // The row says what happened; a failure the row could not record keeps the lease and comes back after it.
          const status = err instanceof HttpError ? (err.extra.delivery as { status?: string } | undefined)?.status : undefined;
          if (status === 'pending') counts.retrying++;
          else counts.failed++;
        }
      }),
    );
    return json(counts, 200);
  } catch (err) {
    return errorResponse(err, {});
  }
}
