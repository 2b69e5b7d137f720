// POST meta-send {messageId} — sends an agent's reply in a facebook/instagram conversation through the Send API.
// The agent must see the message (RLS, with their JWT); Meta's 24-hour window is enforced; transient failures are
// retried here, and the delivery row records every attempt and the platform's reason. Calling again retries a
// failed delivery and is a no-op for a sent one.
import { z } from 'zod';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { agentEndpoint, requireAgentCaller } from '../_shared/meta/agent.ts';
import { findChannel, pageToken } from '../_shared/meta/channel.ts';
import { sendText } from '../_shared/meta/graph.ts';
import { messagingWindowOpen } from '../_shared/meta/window.ts';
import { invalidInput } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';

const sendRequest = z.object({ messageId: z.string().uuid() });
const ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const handler = agentEndpoint(async (req) => {
  const agent = requireAgentCaller(req);
  const parsed = sendRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  // As the agent: another company's message is simply not found.
  const { data: message, error } = await agent.db
    .from('messages')
    .select('id, body, sender_kind, conversation_id, company_id')
    .eq('id', parsed.data.messageId)
    .maybeSingle();
  if (error) throw new Error(`message lookup: ${error.message}`);
  if (!message || (message.sender_kind !== 'agent' && message.sender_kind !== 'bot')) throw new HttpError(404, 'message_not_found', 'No such reply.');
  const { data: conv } = await agent.db.from('conversations').select('platform, visitor_id').eq('id', message.conversation_id).single();
  if (!conv) throw new HttpError(404, 'message_not_found', 'No such reply.');
  if (conv.platform !== 'facebook' && conv.platform !== 'instagram') throw new HttpError(422, 'not_a_channel_conversation', 'This conversation is not on Messenger or Instagram.');

  const admin = adminClient();
  const { data: sender } = await admin.from('meta_senders').select('channel_id, sender_id, company_id').eq('visitor_id', conv.visitor_id).maybeSingle();
  if (!sender || sender.company_id !== message.company_id) throw new HttpError(404, 'channel_not_found', 'This conversation has no connected channel.');
  const channel = await findChannel(sender.channel_id);

  const { data: existing } = await admin.from('meta_deliveries').select('*').eq('message_id', message.id).maybeSingle();
  if (existing && existing.status !== 'failed' && existing.status !== 'pending') return json({ delivery: existing }, 200);

  const record = async (patch: Record<string, unknown>) => {
    const { data, error: e } = await admin
      .from('meta_deliveries')
      .upsert({ message_id: message.id, channel_id: channel.id, company_id: channel.company_id, updated_at: new Date().toISOString(), ...patch })
      .select('*')
      .single();
    if (e) throw new Error(`delivery: ${e.message}`);
    return data;
  };

  if (!(await messagingWindowOpen(message.conversation_id))) {
    const delivery = await record({ status: 'failed', error: 'Outside Meta\'s 24-hour messaging window: the customer has not written in the last 24 hours.' });
    throw new HttpError(422, 'window_closed', delivery.error, { delivery });
  }

  const token = await pageToken(channel);
  let attempts = existing?.attempts ?? 0;
  for (let i = 0; i < ATTEMPTS; i++) {
    attempts += 1;
    const result = await sendText(channel.page_id, token, sender.sender_id, message.body);
    if (result.ok) {
      const delivery = await record({ status: 'sent', attempts, error: null, platform_message_id: result.data?.message_id ?? null });
      return json({ delivery }, 200);
    }
    const last = i === ATTEMPTS - 1 || !result.transient;
    await record({ status: last ? 'failed' : 'pending', attempts, error: result.error });
    if (last) {
      const { data: delivery } = await admin.from('meta_deliveries').select('*').eq('message_id', message.id).single();
      throw new HttpError(502, 'send_failed', result.error ?? 'The Send API refused the message.', { delivery });
    }
    await sleep(250 * 2 ** i);
  }
  throw new Error('unreachable');
});
