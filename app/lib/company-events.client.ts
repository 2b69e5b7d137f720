// The private `company:<id>` channel, one per tab, kept outside React: the layout attaches to it and detaches
// when it unmounts (e.g. an error page while the API is down). Removing and re-creating the channel instead
// would race realtime-js, which hands out a channel of the same topic that a removal left half-closed while the
// socket was down, and live updates would stop for good.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { CompanyEvent } from './dashboard-context.tsx';

export interface CompanyListener {
  onEvent(e: CompanyEvent): void;
  /**
   * 'live' on every join, the first one included: events sent between the server render and the join, or while
   * a re-join was under way, were missed, so a listener re-reads its data then.
   */
  onStatus(status: 'live' | 'offline'): void;
}

interface Hub {
  listeners: Set<CompanyListener>;
  live: boolean;
  remove(): void;
}

const hubs = new Map<string, Hub>();

export function watchCompany(supabase: SupabaseClient, companyId: string, listener: CompanyListener): () => void {
  // Another company's channel nobody listens to any more (the agent switched companies).
  for (const [id, other] of hubs) {
    if (id !== companyId && other.listeners.size === 0) {
      hubs.delete(id);
      other.remove();
    }
  }
  let hub = hubs.get(companyId);
  if (hub) {
    if (hub.live) listener.onStatus('live');
  } else {
    const created: Hub = { listeners: new Set(), live: false, remove: () => undefined };
    const channel = supabase
      .channel(`company:${companyId}`, { config: { private: true } })
      .on('broadcast', { event: '*' }, (msg) => {
        const e: CompanyEvent = { event: String(msg.event), payload: (msg.payload ?? {}) as Record<string, unknown> };
        for (const l of created.listeners) l.onEvent(e);
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') {
          created.live = true;
          for (const l of created.listeners) l.onStatus('live');
        } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
          created.live = false;
          for (const l of created.listeners) l.onStatus('offline');
        }
      });
    created.remove = () => void supabase.removeChannel(channel);
    hubs.set(companyId, created);
    hub = created;
  }
  const h = hub;
  h.listeners.add(listener);
  return () => h.listeners.delete(listener);
}
