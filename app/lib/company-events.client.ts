// The company's private channel (topic `company:<id>:<key>`, read from the companies row), one per tab, kept outside React: the layout attaches to it and detaches
// when it unmounts (e.g. an error page while the API is down). Removing and re-creating the channel for that
// would race realtime-js, which hands out a channel of the same topic that a removal left half-closed while the
// socket was down, and live updates would stop for good. A new channel is opened only when Realtime itself ended
// the old one (realtime-js has dropped it by then).
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { CompanyEvent } from './dashboard-context.tsx';

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
    let removed = false;
    let retryMs = 1000;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let channel: RealtimeChannel;
    const open = () => {
      channel = supabase
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, (msg) => {
          const e: CompanyEvent = { event: String(msg.event), payload: (msg.payload ?? {}) as Record<string, unknown> };
          for (const l of created.listeners) l.onEvent(e);
        })
        .subscribe((status, err) => {
          if (status === 'SUBSCRIBED') {
            retryMs = 1000;
            created.live = true;
            for (const l of created.listeners) l.onStatus('live');
          } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
            created.live = false;
            const denied = status === 'CHANNEL_ERROR' && /unauthorized|permission/i.test(err?.message ?? '');
            for (const l of created.listeners) l.onStatus(denied ? 'denied' : 'offline');
            // Errors and timeouts are re-joined by realtime-js. A close we did not ask for is Realtime ending the
            // channel (e.g. the database was unreachable when a refreshed token was checked): open a new one.
            if (status === 'CLOSED' && !removed) {
              clearTimeout(retry);
              retry = setTimeout(open, retryMs);
              retryMs = Math.min(retryMs * 2, 30_000);
            }
          }
        });
    };
    open();
    created.remove = () => {
      removed = true;
      clearTimeout(retry);
      void supabase.removeChannel(channel);
    };
    hubs.set(topic, created);
    hub = created;
  }
  const h = hub;
  h.listeners.add(listener);
  return () => h.listeners.delete(listener);
}
