// Conformance: hosted Realtime's per-client presence limit, through the official client (realtime-js). Five
// presence events in a window pass; the sixth shuts the channel with hosted's `system` error and phx_close, which
// stops broadcasts on it too. Broadcasts never count. Reference §2.4.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { afterEach, describe, expect, it } from 'vitest';
import { client, stack } from '../../tests/support/stack.ts';
import { admitPresenceEvent, CLIENT_PRESENCE_LIMIT_ERROR, CLIENT_PRESENCE_WINDOW_MS } from '../realtime-server/presence-limit.ts';

type Client = ReturnType<typeof client>;
const clients: Client[] = [];
const rt = () => {
  const c = client(stack().anonKey, { realtime: { timeout: 2000 } as never });
  clients.push(c);
  return c;
};

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});

function subscribed(ch: RealtimeChannel, statuses: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((status, err) => {
      statuses.push(status);
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (check()) {
        clearInterval(t);
        resolve();
      }
    }, 20);
  });

describe('client presence rate limit (hosted: 5 per 30 s per channel)', () => {
  it('closes the channel at the sixth presence event with "Client presence rate limit exceeded"', async () => {
    const name = `limit-${randomUUID().slice(0, 8)}`;
    const ch = rt().channel(name, { config: { presence: { key: 'me' } } });
    const system: Record<string, unknown>[] = [];
    ch.on('system', {}, (p: Record<string, unknown>) => system.push(p));
    const statuses: string[] = [];
    await subscribed(ch, statuses);
    const replies: string[] = [];
    for (let i = 1; i <= 5; i++) replies.push(await ch.track({ n: i }));
    expect(replies).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(system).toEqual([]);
    void ch.track({ n: 6 });
    await until(() => statuses.includes('CLOSED'));
    expect(system).toEqual([expect.objectContaining({ extension: 'system', status: 'error', message: CLIENT_PRESENCE_LIMIT_ERROR, channel: name })]);
    expect(ch.state).toBe('closed');
  });

  it('counts untracks too, and never broadcasts', async () => {
    const name = `limit-${randomUUID().slice(0, 8)}`;
    const ch = rt().channel(name, { config: { presence: { key: 'me' }, broadcast: { ack: true } } });
    const statuses: string[] = [];
    await subscribed(ch, statuses);
    for (let i = 0; i < 30; i++) expect(await ch.send({ type: 'broadcast', event: 'typing', payload: { i } })).toBe('ok');
    expect(await ch.track({ a: 1 })).toBe('ok');
    expect(await ch.untrack()).toBe('ok');
    expect(await ch.track({ a: 2 })).toBe('ok');
    expect(await ch.untrack()).toBe('ok');
    expect(await ch.track({ a: 3 })).toBe('ok');
    expect(statuses).not.toContain('CLOSED');
    void ch.untrack();
    await until(() => statuses.includes('CLOSED'));
  });

  it('opens a new window at the first event after the old one ended', () => {
    const ch = {} as Parameters<typeof admitPresenceEvent>[0];
    const t0 = 1_000;
    expect([1, 2, 3, 4, 5].map((i) => admitPresenceEvent(ch, t0 + i))).toEqual([true, true, true, true, true]);
    expect(admitPresenceEvent(ch, t0 + CLIENT_PRESENCE_WINDOW_MS)).toBe(false);
    expect(admitPresenceEvent(ch, t0 + 1 + CLIENT_PRESENCE_WINDOW_MS + 1)).toBe(true);
  });
});
