// One reply through the Send API, its outcome on the delivery row: used by meta-send (an agent's send or Retry,
// a few quick attempts) and meta-delivery-job (one attempt per background retry). A transient failure plans the
// next background retry; a permanent one, a closed 24-hour window or the last planned retry leaves it failed.
import { HttpError } from '../http.ts';
import { adminClient } from '../supabase.ts';
import { findChannel, pageToken } from './channel.ts';
import { sendText } from './graph.ts';
import { messagingWindowOpen } from './window.ts';

/** Minutes before each background retry after a transient failure; about two hours in all, well within the window. */
export const RETRY_BACKOFF_MINUTES = [1, 2, 5, 15, 30, 60] as const;

export interface Reply {
  id: string;
  body: string;
  conversation_id: string;
  company_id: string;
}

export interface DeliveryRow {
  message_id: string;
  status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  attempts: number;
  retries: number;
  error: string | null;
  next_attempt_at: string | null;
}

export const WINDOW_CLOSED_REASON = "Outside Meta's 24-hour messaging window: the customer has not written in the last 24 hours.";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const minutesAfter = (now: Date, minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

/**
 * Sends `reply` to the channel sender standing for `visitorId`. `background` is a scheduled retry (it counts
 * towards the plan); otherwise an agent sent it and the plan starts again. Throws HttpError with the delivery row
 * for a failure (502 send_failed, 422 window_closed, 404 channel_not_found); returns the row when sent.
 */
export async function deliver(reply: Reply, visitorId: string, o: { tries: number; background: boolean; now: Date }): Promise<DeliveryRow> {
  const admin = adminClient();
  const { data: sender } = await admin.from('meta_senders').select('channel_id, sender_id, company_id').eq('visitor_id', visitorId).maybeSingle();
  if (!sender || sender.company_id !== reply.company_id) throw new HttpError(404, 'channel_not_found', 'This conversation has no connected channel.');
  const channel = await findChannel(sender.channel_id);

  const { data: existing } = await admin.from('meta_deliveries').select('*').eq('message_id', reply.id).maybeSingle();
  if (existing && existing.status !== 'failed' && existing.status !== 'pending') return existing as DeliveryRow;
  const retries = o.background ? (existing?.retries ?? 0) + 1 : 0;

  const record = async (patch: Partial<DeliveryRow> & { platform_message_id?: string | null }) => {
    const { data, error } = await admin
      .from('meta_deliveries')
      .upsert({ message_id: reply.id, channel_id: channel.id, company_id: channel.company_id, updated_at: new Date().toISOString(), retries, ...patch })
      .select('*')
      .single();
    if (error) throw new Error(`delivery: ${error.message}`);
    return data as DeliveryRow;
  };

  if (!(await messagingWindowOpen(reply.conversation_id, o.now.getTime()))) {
    const delivery = await record({ status: 'failed', error: WINDOW_CLOSED_REASON, next_attempt_at: null });
    throw new HttpError(422, 'window_closed', WINDOW_CLOSED_REASON, { delivery });
  }

  const token = await pageToken(channel);
  let attempts = existing?.attempts ?? 0;
  for (let i = 0; i < o.tries; i++) {
    attempts += 1;
    const result = await sendText(channel.page_id, token, sender.sender_id, reply.body);
    if (result.ok) return await record({ status: 'sent', attempts, error: null, next_attempt_at: null, platform_message_id: result.data?.message_id ?? null });
    const last = i === o.tries - 1 || !result.transient;
    if (!last) {
      await record({ status: 'pending', attempts, error: result.error ?? null });
      await sleep(250 * 2 ** i);
      continue;
    }
    // Out of quick tries: a transient failure waits for the next planned background retry, if one is left.
    const wait = result.transient ? RETRY_BACKOFF_MINUTES[retries] : undefined;
    const delivery = await record(
      wait === undefined
        ? { status: 'failed', attempts, error: result.error ?? null, next_attempt_at: null }
        : { status: 'pending', attempts, error: result.error ?? null, next_attempt_at: minutesAfter(o.now, wait) },
    );
    throw new HttpError(502, 'send_failed', result.error ?? 'The Send API refused the message.', { delivery });
  }
  throw new Error('deliver: no try made');
}
