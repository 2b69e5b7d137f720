// POST meta-send {messageId} — sends an agent's reply in a facebook/instagram conversation through the Send API.
// The agent must see the message (RLS, with their JWT); Meta's 24-hour window is enforced; transient failures are
// retried here a few times, then by the background job (meta-delivery-job), and the delivery row records every
// attempt and the platform's reason. Calling again retries now and is a no-op for a sent one.
import { z } from 'zod';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { agentEndpoint, requireAgentCaller } from '../_shared/meta/agent.ts';
import { deliver } from '../_shared/meta/deliver.ts';
import { invalidInput } from '../_shared/schemas.ts';

const sendRequest = z.object({ messageId: z.string().uuid() });
/** Quick tries within the agent's request (250 ms, then 500 ms apart). */
const TRIES = 3;

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
  const delivery = await deliver(message, conv.visitor_id, { tries: TRIES, background: false, now: new Date() });
  return json({ delivery }, 200);
});
