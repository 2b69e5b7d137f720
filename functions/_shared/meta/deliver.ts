// One reply through the Send API, its outcome on the delivery row: used by meta-send (an agent's send or Retry,
// a few quick attempts) and meta-delivery-job (one attempt per background retry). A transient failure plans the
// next background retry; a permanent one, a closed 24-hour window or the last planned retry leaves it failed.
// A reply is its text, then each file as an attachment Meta fetches from a signed URL; the row counts the parts
// accepted, so a retry goes on from the next one and never sends a part twice.
import { ATTACHMENT_BUCKET } from '../attachment-rules.ts';
import { HttpError } from '../http.ts';
import { adminClient } from '../supabase.ts';
import { findChannel, pageToken } from './channel.ts';
import { type GraphResult, sendAttachment, sendText } from './graph.ts';
import { messagingWindowOpen } from './window.ts';

/** Minutes before each background retry after a transient failure; about two hours in all, well within the window. */
export const RETRY_BACKOFF_MINUTES = [1, 2, 5, 15, 30, 60] as const;

export interface Reply {
  id: string;
  body: string;
  conversation_id: string;
  company_id: string;
}

/** How long Meta may take to fetch a file of a reply (it fetches at once; a day covers background retries). */
const FILE_URL_SECONDS = 24 * 60 * 60;

export interface DeliveryRow {
  message_id: string;
  status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  attempts: number;
  retries: number;
  parts_sent: number;
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
  const parts = await partsOf(reply);
  let attempts = existing?.attempts ?? 0;
  let sent = existing?.parts_sent ?? 0;
  // Every part accepted already (a run that ended before the row said so): nothing more to send.
  if (sent >= parts.length) return await record({ status: 'sent', attempts, parts_sent: sent, error: null, next_attempt_at: null });
  for (let i = 0; i < o.tries; ) {
    attempts += 1;
    const result = await parts[sent]!(channel.page_id, token, sender.sender_id);
    if (result.ok) {
      sent += 1;
      const platform_message_id = result.data?.message_id ?? null;
      if (sent >= parts.length) return await record({ status: 'sent', attempts, parts_sent: sent, error: null, next_attempt_at: null, platform_message_id });
      await record({ status: 'pending', attempts, parts_sent: sent });
      continue;
    }
    i += 1;
    const last = i === o.tries || !result.transient;
    if (!last) {
      await record({ status: 'pending', attempts, error: result.error ?? null });
      await sleep(250 * 2 ** (i - 1));
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

type Part = (pageId: string, token: string, recipientId: string) => Promise<GraphResult<{ message_id?: string }>>;

/** The reply's parts in the order they go: its text (when it has any), then its files as stored. */
async function partsOf(reply: Reply): Promise<Part[]> {
  const admin = adminClient();
  const { data: files, error } = await admin
    .from('attachments')
    .select('object_path, content_type')
    .eq('message_id', reply.id)
    .order('created_at')
    .order('id');
  if (error) throw new Error(`reply files: ${error.message}`);
  const parts: Part[] = reply.body.trim() ? [(page, token, to) => sendText(page, token, to, reply.body)] : [];
  for (const f of files ?? []) {
    parts.push(async (page, token, to) => {
      const signed = await admin.storage.from(ATTACHMENT_BUCKET).createSignedUrl(f.object_path, FILE_URL_SECONDS);
      // Storage signs only a file it holds: one removed since (the conversation's files deleted) will not come back.
      if (signed.error || !signed.data) return { ok: false, status: 0, error: 'This file is no longer stored, so Meta cannot fetch it.', transient: false };
      return sendAttachment(page, token, to, attachmentType(f.content_type), signed.data.signedUrl);
    });
  }
  return parts;
}

/** The Send API's attachment types: images, audio and video play in the thread; anything else is a file. */
function attachmentType(contentType: string): 'image' | 'audio' | 'video' | 'file' {
  const top = contentType.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}
