import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import type { PresenceHub } from './presence.client.ts';

export const PresenceContext = createContext<PresenceHub | null>(null);

const noop = () => () => {};

/** Watches the conversations' presence channels and returns the ids whose visitor is online. */
export function useVisitorsOnline(conversationIds: string[]): Set<string> {
  const hub = useContext(PresenceContext);
  const key = [...conversationIds].sort().join(',');
  useEffect(() => {
    if (!hub || !key) return;
    const releases = key.split(',').map((id) => hub.watch(id));
    // Release after the next effect has re-watched: a re-ordered list keeps its channels joined.
    return () => {
      setTimeout(() => {
        for (const r of releases) r();
      }, 0);
    };
  }, [hub, key]);
  useSyncExternalStore(hub?.onChange ?? noop, hub?.getVersion ?? (() => 0), () => 0);
  return new Set(hub ? conversationIds.filter((id) => hub.isVisitorOnline(id)) : []);
}
