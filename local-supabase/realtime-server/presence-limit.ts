// Hosted Realtime's per-client presence limit (reference §2.4): a fixed window that opens at a channel's first
// presence event and admits 5 events (track or untrack, before any authorization) per 30 s. The next one inside
// the window shuts the channel: a `system` error "Client presence rate limit exceeded", then phx_close, and no
// reply to the push (realtime_channel.ex handle_in("presence") → shutdown_response; presence_handler.ex).
import type { Channel } from './hub.ts';

export const CLIENT_PRESENCE_MAX_CALLS = 5;
export const CLIENT_PRESENCE_WINDOW_MS = 30_000;
export const CLIENT_PRESENCE_LIMIT_ERROR = 'Client presence rate limit exceeded';

export interface PresenceWindow {
  count: number;
  resetAt: number;
}

const windows = new WeakMap<Channel, PresenceWindow>();

/** Counts one presence event of the channel; false when it is over the limit (the caller shuts the channel). */
export function admitPresenceEvent(ch: Channel, now: number = performance.now()): boolean {
  const w = windows.get(ch);
  if (!w || now > w.resetAt) {
    windows.set(ch, { count: 1, resetAt: now + CLIENT_PRESENCE_WINDOW_MS });
    return true;
  }
  if (w.count >= CLIENT_PRESENCE_MAX_CALLS) return false;
  w.count += 1;
  return true;
}
