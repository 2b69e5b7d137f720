// What the visitor has seen and when the conversation last showed life, kept in localStorage: the launcher reads
// both on the next page view (the unread badge, and whether to keep a live socket).
import type { Seen } from '../shared.ts';
import type { ChatMessage } from '../text.ts';
import type { SyncDeps } from './ports.ts';

type Store = Pick<SyncDeps, 'get' | 'set'>;

export function readSeen(d: Store): Seen | null {
  try {
    return JSON.parse(d.get('seen') ?? 'null');
  } catch {
    return null;
  }
}

/** The newest stored message is on screen: unread counts (here and in the launcher's look) start after it. */
export function markSeen(d: Store, messages: ChatMessage[]) {
  const last = messages.filter((m) => !m.state).at(-1);
  if (last && last.createdAt > (readSeen(d)?.at ?? '')) d.set('seen', JSON.stringify({ id: last.id, at: last.createdAt }));
}

/** Notes activity at `at` (ms; never later than now, whatever the server's clock says). */
export function noteAlive(d: Store, at: number) {
  const t = Math.min(at || 0, Date.now());
  if (t > Number(d.get('active') ?? 0)) d.set('active', String(t));
}
