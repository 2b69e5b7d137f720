// Presence on the private `conversation:<id>` channels: is the visitor's page open? One shared channel per
// conversation (ref-counted), so the inbox and the open conversation never join the same topic twice. Agents only
// read here: only the conversation's visitor may track presence on it (realtime policies), so whoever is present
// is the visitor.
import type { SupabaseClient } from '@supabase/supabase-js';
import { ChangeFeed } from './conversation-watch.ts';
import { type RejoiningChannel, rejoiningChannel } from './rejoining-channel.ts';

interface Entry {
  channel: RejoiningChannel;
  refs: number;
  visitorOnline: boolean;
  subscribed: boolean;
}

export class PresenceHub extends ChangeFeed {
  private entries = new Map<string, Entry>();

  constructor(
    readonly supabase: SupabaseClient,
    readonly presenceKey: string,
  ) {
    super();
  }

  isVisitorOnline(conversationId: string): boolean {
    return this.entries.get(conversationId)?.visitorOnline ?? false;
  }

  /** Start watching a conversation's presence; returns a release function. */
  watch(conversationId: string): () => void {
    let entry = this.entries.get(conversationId);
    if (!entry) {
      const created: Entry = { channel: null as unknown as RejoiningChannel, refs: 0, visitorOnline: false, subscribed: false };
      entry = created;
      // Rejoined when Realtime ends it; the new join's sync says again whether the visitor is there.
      created.channel = rejoiningChannel(
        this.supabase,
        `conversation:${conversationId}`,
        { config: { private: true, presence: { key: this.presenceKey } } },
        (c) =>
          c.on('presence', { event: 'sync' }, () => {
            const online = Object.keys(c.presenceState()).length > 0;
            if (online !== created.visitorOnline) {
              created.visitorOnline = online;
              this.emit();
            }
          }),
        (status) => {
          if (status === 'SUBSCRIBED') {
            created.subscribed = true;
          } else {
            created.subscribed = false;
            if (created.visitorOnline) {
              created.visitorOnline = false;
              this.emit();
            }
          }
        },
      );
      this.entries.set(conversationId, created);
    }
    entry.refs += 1;
    const e = entry;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      e.refs -= 1;
      if (e.refs <= 0) {
        this.entries.delete(conversationId);
        e.channel.remove();
        if (e.visitorOnline) this.emit();
      }
    };
  }

  /** Leaves every channel (the agent signed in as someone else). */
  close() {
    for (const entry of this.entries.values()) entry.channel.remove();
    this.entries.clear();
    this.emit();
  }

}

let shared: PresenceHub | null = null;

/**
 * The page's one hub. The Supabase browser client is a singleton and hands out one channel object per topic, so
 * a second hub (the dashboard re-mounted after an error page) would share the first one's channels and remove
 * them from under it when the first one's watchers are released. Like the company channel, it lives outside React.
 */
export function presenceHub(supabase: SupabaseClient, presenceKey: string): PresenceHub {
  if (shared && (shared.supabase !== supabase || shared.presenceKey !== presenceKey)) {
    shared.close();
    shared = null;
  }
  shared ??= new PresenceHub(supabase, presenceKey);
  return shared;
}
