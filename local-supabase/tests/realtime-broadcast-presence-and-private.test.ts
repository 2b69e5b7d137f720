// Conformance: supabase-js (realtime-js 2.x, protocol 2.0.0 with binary broadcasts) against the local
// /realtime/v1: broadcast, presence, private channels authorized by RLS, REST and database broadcasts.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { client, db, stack } from '../../tests/support/stack.ts';
import { signJwt } from '../jwt.ts';

type Client = ReturnType<typeof client>;
let admin: pg.Client;
const clients: Client[] = [];

async function token(claims: Record<string, unknown> = {}, ttl = 600) {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(stack().jwtSecret, { sub: randomUUID(), role: 'authenticated', aud: 'authenticated', iat: now, exp: now + ttl, ...claims });
}

/** A supabase-js client whose Realtime connection uses the given JWT (or the anon key). */
async function rt(jwt?: string): Promise<Client> {
  const c = client(stack().anonKey, { realtime: { timeout: 2000 } as never });
  if (jwt) await c.realtime.setAuth(jwt);
  clients.push(c);
  return c;
}

function subscribe(ch: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

function next<T>(register: (cb: (v: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for an event')), ms);
    register((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const topic = (prefix = 'room') => `${prefix}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  admin = await db();
  // Test-only policies: topics `rttest:*` readable by JWTs with allowed=true, writable with can_write=true.
  await admin.query(`
    create policy "rttest read" on realtime.messages for select to authenticated
      using (realtime.topic() like 'rttest:%' and coalesce((auth.jwt()->>'allowed')::boolean, false));
    create policy "rttest write" on realtime.messages for insert to authenticated
      with check (realtime.topic() like 'rttest:%' and coalesce((auth.jwt()->>'can_write')::boolean, false));`);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});

afterAll(async () => {
  await admin.query(`drop policy "rttest read" on realtime.messages; drop policy "rttest write" on realtime.messages;`);
  await admin.end();
});

describe('broadcast', () => {
  it('delivers broadcasts both ways between two clients, not back to the sender by default', async () => {
    const name = topic();
    const a = (await rt()).channel(name);
    const b = (await rt()).channel(name);
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    a.on('broadcast', { event: 'msg' }, (m) => gotA.push(m.payload));
    b.on('broadcast', { event: 'msg' }, (m) => gotB.push(m.payload));
    await Promise.all([subscribe(a), subscribe(b)]);
    await a.send({ type: 'broadcast', event: 'msg', payload: { from: 'a' } });
    await b.send({ type: 'broadcast', event: 'msg', payload: { from: 'b' } });
    await sleep(300);
    expect(gotB).toEqual([{ from: 'a' }]);
    expect(gotA).toEqual([{ from: 'b' }]);
  });

  it('echoes to the sender with self: true and acknowledges with ack: true', async () => {
    const ch = (await rt()).channel(topic(), { config: { broadcast: { self: true, ack: true } } });
    const got = next<{ payload: unknown }>((cb) => ch.on('broadcast', { event: 'ping' }, cb));
    await subscribe(ch);
    expect(await ch.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })).toBe('ok');
    expect((await got).payload).toEqual({ n: 1 });
  });

  it('keeps a private and a public channel of the same name apart', async () => {
    const name = `rttest:${topic()}`;
    const jwt = await token({ allowed: true, can_write: true });
    const pub = (await rt(jwt)).channel(name);
    const priv = (await rt(jwt)).channel(name, { config: { private: true } });
    const seen: string[] = [];
    priv.on('broadcast', { event: '*' }, () => seen.push('private'));
    await Promise.all([subscribe(pub), subscribe(priv)]);
    await pub.send({ type: 'broadcast', event: 'x', payload: {} });
    await sleep(300);
    expect(seen).toEqual([]);
  });
});

describe('presence', () => {
  it('syncs state after join and reports joins and leaves, including an abruptly killed socket', async () => {
    const name = topic('presence');
    const watcherClient = await rt();
    const watcher = watcherClient.channel(name, { config: { presence: { key: 'watcher' } } });
    const joins: string[] = [];
    const leaves: string[] = [];
    watcher.on('presence', { event: 'join' }, ({ key }) => joins.push(key));
    watcher.on('presence', { event: 'leave' }, ({ key }) => leaves.push(key));
    await subscribe(watcher);
    const visitorClient = await rt();
    const visitor = visitorClient.channel(name, { config: { presence: { key: 'visitor-1' } } });
    visitor.on('presence', { event: 'sync' }, () => undefined);
    await subscribe(visitor);
    expect(await visitor.track({ kind: 'visitor', page: '/pricing' })).toBe('ok');
    await sleep(300);
    expect(joins).toContain('visitor-1');
    const state = watcher.presenceState();
    expect(state['visitor-1']?.[0]).toMatchObject({ kind: 'visitor', page: '/pricing' });
    expect(state['visitor-1']?.[0]).toHaveProperty('presence_ref');
    // Kill the visitor's socket without a goodbye.
    (visitorClient.realtime as unknown as { socketAdapter: { socket: { conn: WebSocket } } }).socketAdapter.socket.conn.terminate();
    await sleep(500);
    expect(leaves).toContain('visitor-1');
    expect(watcher.presenceState()['visitor-1']).toBeUndefined();
  });

  it('updates a meta on a second track (leave old meta, join new) and leaves on untrack', async () => {
    // Asserted on the join/leave events: realtime-js' own state keeps a stale meta after an update
    // (it mutates the metas it reports), with the real server too.
    const name = topic('presence');
    const ch = (await rt()).channel(name, { config: { presence: { key: 'me' } } });
    const events: string[] = [];
    ch.on('presence', { event: 'join' }, ({ newPresences }) => events.push(`join:${newPresences[0]?.status}`));
    ch.on('presence', { event: 'leave' }, ({ leftPresences }) => events.push(`leave:${leftPresences[0]?.status}`));
    await subscribe(ch);
    await ch.track({ status: 'online' });
    await ch.track({ status: 'away' });
    await ch.track({ status: 'away' }); // identical payload: no diff
    expect(await ch.untrack()).toBe('ok');
    await sleep(300);
    expect(events).toEqual(['join:online', 'join:away', 'leave:online', 'leave:away']);
  });
});

describe('private channels', () => {
  it('refuses a join for a user the policies exclude, with the real server error', async () => {
    const name = `rttest:${topic()}`;
    const ch = (await rt(await token({ allowed: false }))).channel(name, { config: { private: true } });
    await expect(subscribe(ch)).rejects.toThrow(`Unauthorized: You do not have permissions to read from this Channel topic: ${name}`);
  });

  it('allows a join for a user the policies include', async () => {
    const ch = (await rt(await token({ allowed: true }))).channel(`rttest:${topic()}`, { config: { private: true } });
    await expect(subscribe(ch)).resolves.toBeUndefined();
  });

  it('drops a broadcast from a user without write permission: others never see it, ack times out', async () => {
    const name = `rttest:${topic()}`;
    const reader = (await rt(await token({ allowed: true, can_write: true }))).channel(name, { config: { private: true } });
    const got: unknown[] = [];
    reader.on('broadcast', { event: '*' }, (m) => got.push(m.payload));
    const writer = (await rt(await token({ allowed: true, can_write: false }))).channel(name, { config: { private: true, broadcast: { ack: true } } });
    await Promise.all([subscribe(reader), subscribe(writer)]);
    expect(await writer.send({ type: 'broadcast', event: 'x', payload: { forbidden: true } })).toBe('timed out');
    const allowed = (await rt(await token({ allowed: true, can_write: true }))).channel(name, { config: { private: true, broadcast: { ack: true } } });
    await subscribe(allowed);
    expect(await allowed.send({ type: 'broadcast', event: 'x', payload: { allowed: true } })).toBe('ok');
    await sleep(300);
    expect(got).toEqual([{ allowed: true }]);
  });

  it('refuses a presence track without write permission', async () => {
    const ch = (await rt(await token({ allowed: true, can_write: false }))).channel(`rttest:${topic()}`, { config: { private: true } });
    await subscribe(ch);
    expect(await ch.track({ x: 1 })).toBe('error');
  });

  it('keeps a channel through a token refresh, and closes it with the join’s refusal when the new token may read nothing', async () => {
    const name = `rttest:${topic()}`;
    const c = await rt(await token({ allowed: true }));
    const ch = c.channel(name, { config: { private: true } });
    const system = next<{ message: string; status: string }>((cb) => ch.on('system', {}, cb as never), 8000);
    await subscribe(ch);
    await c.realtime.setAuth(await token({ allowed: true }));
    await sleep(300);
    expect(ch.state).toBe('joined');
    await c.realtime.setAuth(await token({ allowed: false }));
    const msg = await system;
    // realtime_channel.ex re-runs the join's check first: nothing readable is its refusal ("no longer have
    // permission" is for losing one of two reads, realtime-permissions.test.ts).
    expect(msg).toMatchObject({ status: 'error', message: `You do not have permissions to read from this Channel topic: ${name}` });
  });
});

describe('server-side broadcasts', () => {
  it('delivers realtime.send from SQL to private subscribers, with the row id as meta', async () => {
    const name = `rttest:${topic()}`;
    const ch = (await rt(await token({ allowed: true }))).channel(name, { config: { private: true } });
    const got = next<{ payload: Record<string, unknown>; meta?: { id: string } }>((cb) => ch.on('broadcast', { event: 'note' }, cb as never));
    await subscribe(ch);
    await admin.query(`select realtime.send('{"text":"from the database"}'::jsonb, 'note', $1, true)`, [name]);
    const m = await got;
    expect(m.payload).toMatchObject({ text: 'from the database' });
    expect(m.meta?.id).toBe(m.payload.id);
  });

  it('delivers all 1,000 rows inserted in one transaction, in order', async () => {
    const name = `rttest:${topic()}`;
    const ch = (await rt(await token({ allowed: true }))).channel(name, { config: { private: true } });
    const seen: number[] = [];
    ch.on('broadcast', { event: 'bulk' }, (m) => seen.push((m.payload as { n: number }).n));
    await subscribe(ch);
    await admin.query(`select realtime.send(jsonb_build_object('n', g), 'bulk', $1, true) from generate_series(1, 1000) g`, [name]);
    for (let i = 0; i < 100 && seen.length < 1000; i++) await sleep(100);
    expect(seen).toHaveLength(1000);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('delivers a large (1 MB) database payload', async () => {
    const name = `rttest:${topic()}`;
    const ch = (await rt(await token({ allowed: true }))).channel(name, { config: { private: true } });
    const got = next<{ payload: { big: string } }>((cb) => ch.on('broadcast', { event: 'big' }, cb as never));
    await subscribe(ch);
    await admin.query(`select realtime.send(jsonb_build_object('big', repeat('x', 1000000)), 'big', $1, true)`, [name]);
    expect((await got).payload.big).toHaveLength(1_000_000);
  });

  it('delivers REST broadcasts (batch and single endpoint) and refuses a request without a JWT', async () => {
    const name = topic('rest');
    const ch = (await rt()).channel(name);
    const got: unknown[] = [];
    ch.on('broadcast', { event: 'rest' }, (m) => got.push(m.payload));
    await subscribe(ch);
    const res = await fetch(`${stack().apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: stack().serviceRoleKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: name, event: 'rest', payload: { via: 'batch' } }] }),
    });
    expect(res.status).toBe(202);
    const sender = (await rt()).channel(name);
    const sent = await sender.httpSend('rest', { via: 'single' });
    expect(sent.success).toBe(true);
    await sleep(300);
    expect(got).toEqual([{ via: 'batch' }, { via: 'single' }]);
    const bad = await fetch(`${stack().apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, Authorization: 'Bearer nope', 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [] }),
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Unauthorized' });
  });
});

describe('protocol', () => {
  it('speaks vsn 1.0.0 JSON objects: join reply with postgres_changes [], heartbeat, broadcast', async () => {
    const ws = new WebSocket(`${stack().apiUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${stack().anonKey}&vsn=1.0.0`);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    const name = topic('v1');
    ws.send(JSON.stringify({ topic: `realtime:${name}`, event: 'phx_join', payload: { config: { broadcast: { self: true } } }, ref: '1', join_ref: '1' }));
    ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '2' }));
    await sleep(200);
    ws.send(JSON.stringify({ topic: `realtime:${name}`, event: 'broadcast', payload: { type: 'broadcast', event: 'hi', payload: { a: 1 } }, ref: '3', join_ref: '1' }));
    await sleep(200);
    ws.close();
    expect(frames[0]).toEqual({ topic: `realtime:${name}`, event: 'phx_reply', payload: { status: 'ok', response: { postgres_changes: [] } }, ref: '1' });
    expect(frames).toContainEqual({ topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} }, ref: '2' });
    expect(frames).toContainEqual({ topic: `realtime:${name}`, event: 'broadcast', payload: { type: 'broadcast', event: 'hi', payload: { a: 1 } }, ref: null });
  });

  it('refuses a socket whose apikey is not a known key, on the HTTP upgrade', async () => {
    const ws = new WebSocket(`${stack().apiUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=nope&vsn=2.0.0`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });

  it('answers a push to a topic that was never joined with "unmatched topic"', async () => {
    const ws = new WebSocket(`${stack().apiUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${stack().anonKey}&vsn=2.0.0`);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify(['1', '5', 'realtime:nowhere', 'presence', { type: 'presence', event: 'track', payload: {} }]));
    await sleep(200);
    ws.close();
    expect(frames).toContainEqual([null, '5', 'realtime:nowhere', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }]);
  });
});
