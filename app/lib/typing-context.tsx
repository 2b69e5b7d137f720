// React side of the typing hub: which of these conversations' visitors are typing (inbox marks, the open thread).
import { createContext, useContext } from 'react';
import { useWatchedConversations } from './conversation-watch.ts';
import type { TypingHub } from './typing.client.ts';

export const TypingContext = createContext<TypingHub | null>(null);

export function useTypingHub(): TypingHub | null {
  return useContext(TypingContext);
}

/** Watches the conversations' typing channels and returns the ids whose visitor is typing now. */
export function useVisitorsTyping(conversationIds: string[]): Set<string> {
  return useWatchedConversations(useContext(TypingContext), conversationIds, (hub, id) => hub.isVisitorTyping(id));
}
