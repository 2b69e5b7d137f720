// The conversation's private Realtime channel as the engine listens to it: stored messages (only well-formed rows
// of this conversation) and conversation updates (the agents' read mark and the status); presence keyed by visitor.
import { type ChatMessage, messageFromBroadcast } from '../text.ts';
import type { ChannelLike, RealtimeLike } from './ports.ts';

export interface ConversationEvents {
  message(m: ChatMessage): void;
  updated(agentReadMessageId: unknown, status?: string): void;
}

export function conversationChannel(realtime: RealtimeLike, conversationId: string, presenceKey: string, on: ConversationEvents): ChannelLike {
  const channel = realtime.channel(`conversation:${conversationId}`, { config: { private: true, presence: { key: presenceKey } } });
  channel.on('broadcast', { event: 'message.created' }, ({ payload }) => {
    const m = messageFromBroadcast(payload, conversationId);
    if (m) on.message(m);
  });
  type Updated = { agent_last_read_message_id?: unknown; status?: string } | undefined;
  channel.on('broadcast', { event: 'conversation.updated' }, ({ payload }) => on.updated((payload as Updated)?.agent_last_read_message_id, (payload as Updated)?.status));
  return channel;
}
