// The company's private channel (topic `company:<id>:<key>`, read from the companies row), one per tab, kept outside React: the layout attaches to it and detaches
// when it unmounts (e.g. an error page while the API is down). Removing and re-creating the channel for that
// would race realtime-js, which hands out a channel of the same topic that a removal left half-closed while the
// socket was down, and live updates would stop for good. A new channel is opened only when Realtime itself ended
// the old one (rejoining-channel.ts).
import type { SupabaseClient } from '@supabase/supabase-js';
import type { CompanyEvent } from './dashboard-context.tsx';
import { rejoiningChannel } from './rejoining-channel.ts';

export interface CompanyListener {
  onEvent(e: CompanyEvent): void;
  /**
   * 'live' on every join, the first one included: events sent between the server render and the join, or while
   * a re-join was under way, were missed, so a listener re-reads its data then. 'denied' when Realtime refused the
   * join: the topic moved (a member was removed) or this user is no longer a member; re-read the topic then.
   */
  onStatus(status: 'live' | 'offline' | 'denied'): void;
}

interface Hub {
  listeners: Set<CompanyListener>;
  live: boolean;
  remove(): void;
}

const hubs = new Map<string, Hub>();

export function watchCompany(supabase: SupabaseClient, topic: string, listener: CompanyListener): () => void {
  // Another topic nobody listens to any more (the agent switched companies, or the company's topic moved).
  for (const [id, other] of hubs) {
    if (id !== topic && other.listeners.size === 0) {
      hubs.delete(id);
      other.remove();
    }
  }
  let hub = hubs.get(topic);
  if (hub) {
    if (hub.live) listener.onStatus('live');
  } else {
    const created: Hub = { listeners: new Set(), live: false, remove: () => undefined };
    const channel = rejoiningChannel(
      supabase,
      topic,
      { config: { private: true } },
      (c) =>
        c.on('broadcast', { event: '*' }, (msg) => {
          const e: CompanyEvent = { event: String(msg.event), payload: (msg.payload ?? {}) as Record<string, unknown> };
          for (const l of created.listeners) l.onEvent(e);
        }),
      (status, err) => {
        if (status === 'SUBSCRIBED') {
          created.live = true;
          for (const l of created.listeners) l.onStatus('live');
        } else {
          created.live = false;
          const denied = status === 'CHANNEL_ERROR' && /unauthorized|permission/i.test(err?.message ?? '');
          for (const l of created.listeners) l.onStatus(denied ? 'denied' : 'offline');
        }
      },
    );
    created.remove = () => channel.remove();
    hubs.set(topic, created);
    hub = created;
  }
  const h = hub;
  h.listeners.add(listener);
  return () => h.listeners.delete(listener);
}
