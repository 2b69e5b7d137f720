// The conversation's private Realtime channel as the engine listens to it: stored messages (only well-formed rows
// of this conversation) and conversation updates (the agents' read mark and the status); presence keyed by visitor.
import { utcMicros } from '../../../functions/_shared/time.ts';
import { type ChatMessage, messageFromBroadcast } from '../text.ts';
import type { ChannelLike, RealtimeLike } from './ports.ts';

export interface ConversationEvents {
  message(m: ChatMessage): void;
  /** `at`: the conversation's updated_at with that status (microsecond UTC text), when the payload has a valid one. */
  updated(agentReadMessageId: unknown, status?: string, at?: string): void;
}

export function conversationChannel(realtime: RealtimeLike, conversationId: string, presenceKey: string, on: ConversationEvents): ChannelLike {
  const channel = realtime.channel(`conversation:${conversationId}`, { config: { private: true, presence: { key: presenceKey } } });
  channel.on('broadcast', { event: 'message.created' }, ({ payload }) => {
    const m = messageFromBroadcast(payload, conversationId);
    if (m) on.message(m);
  });
  type Updated = { agent_last_read_message_id?: unknown; status?: string; updated_at?: unknown } | undefined;
  channel.on('broadcast', { event: 'conversation.updated' }, ({ payload }) => {
    const p = payload as Updated;
    const at = typeof p?.updated_at === 'string' && !Number.isNaN(Date.parse(p.updated_at)) ? utcMicros(p.updated_at) : undefined;
    on.updated(p?.agent_last_read_message_id, p?.status, at);
  });
  return channel;
}
