// What the presence and typing hubs share: a version bumped on every change (for useSyncExternalStore), and the
// hook that watches a list of conversations' channels and returns the ids for which the hub answers yes.
import { useEffect, useSyncExternalStore } from 'react';

export class ChangeFeed {
  private listeners = new Set<() => void>();
  private version = 0;

  getVersion = () => this.version;

  onChange = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  protected emit = () => {
    this.version += 1;
    for (const l of this.listeners) l();
  };
}

interface ConversationHub extends ChangeFeed {
  watch(conversationId: string): () => void;
}

const noop = () => () => {};

export function useWatchedConversations<H extends ConversationHub>(hub: H | null, conversationIds: string[], holds: (hub: H, id: string) => boolean): Set<string> {
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
  return new Set(hub ? conversationIds.filter((id) => holds(hub, id)) : []);
}
