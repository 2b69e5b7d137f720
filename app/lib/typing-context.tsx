// React side of the typing hub: which of these conversations' visitors are typing (inbox marks, the open thread).
import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import type { TypingHub } from './typing.client.ts';

export const TypingContext = createContext<TypingHub | null>(null);

const noop = () => () => {};

export function useTypingHub(): TypingHub | null {
  return useContext(TypingContext);
}

/** Watches the conversations' typing channels and returns the ids whose visitor is typing now. */
export function useVisitorsTyping(conversationIds: string[]): Set<string> {
  const hub = useContext(TypingContext);
  const key = [...conversationIds].sort().join(',');
  useEffect(() => {
    if (!hub || !key) return;
    const releases = key.split(',').map((id) => hub.watch(id));
    return () => {
      setTimeout(() => {
        for (const r of releases) r();
      }, 0);
    };
  }, [hub, key]);
  useSyncExternalStore(hub?.onChange ?? noop, hub?.getVersion ?? (() => 0), () => 0);
  return new Set(hub ? conversationIds.filter((id) => hub.isVisitorTyping(id)) : []);
}
