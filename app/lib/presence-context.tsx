// React side of the presence hub: which of these conversations' visitors have the page open (inbox, open thread).
import { createContext, useContext } from 'react';
import { useWatchedConversations } from './conversation-watch.ts';
import type { PresenceHub } from './presence.client.ts';

export const PresenceContext = createContext<PresenceHub | null>(null);

/** Watches the conversations' presence channels and returns the ids whose visitor is online. */
export function useVisitorsOnline(conversationIds: string[]): Set<string> {
  return useWatchedConversations(useContext(PresenceContext), conversationIds, (hub, id) => hub.isVisitorOnline(id));
}
