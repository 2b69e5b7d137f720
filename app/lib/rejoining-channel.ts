// A private Realtime channel that stays joined: when Realtime itself ends it (a close nobody asked for, e.g. the
// database was unreachable when a refreshed token was checked) a new channel of the same topic is opened, backing
// off up to 30 s. Errors and timeouts are re-joined by realtime-js; only an unrequested close needs a new channel
// (realtime-js has dropped the old one by then, so `supabase.channel` hands out a fresh one).
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';

export type ChannelStatus = 'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR';

export interface RejoiningChannel {
  /** The channel joined now (a new object after each rejoin). */
  readonly current: RealtimeChannel;
  /** Leaves the channel for good: no rejoin after this. */
  remove(): void;
}

/**
 * Opens `topic` with `options` and keeps it joined. `setup` adds the handlers to each new channel before it joins;
 * `onStatus` hears every status of every channel (SUBSCRIBED on each join, CLOSED before each rejoin).
 */
export function rejoiningChannel(
  supabase: SupabaseClient,
  topic: string,
  options: Parameters<SupabaseClient['channel']>[1],
  setup: (channel: RealtimeChannel) => void,
  onStatus: (status: ChannelStatus, err: Error | undefined, channel: RealtimeChannel) => void = () => undefined,
): RejoiningChannel {
  let removed = false;
  let retryMs = 1000;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let channel!: RealtimeChannel;
  const open = () => {
    const created = supabase.channel(topic, options);
    channel = created;
    setup(created);
    created.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') retryMs = 1000;
      onStatus(status as ChannelStatus, err, created);
      if (status === 'CLOSED' && !removed && channel === created) {
        clearTimeout(retry);
        retry = setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
      }
    });
  };
  open();
  return {
    get current() {
      return channel;
    },
    remove() {
      removed = true;
      clearTimeout(retry);
      void supabase.removeChannel(channel);
    },
  };
}
