// Realtime keeps working across a Postgres restart: database broadcasts resume and private joins are authorized
// again; a REST request whose session dies answers 503 and the stack serves on. Uses its own stack (the shared one
// must not be restarted under other tests).
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, type RealtimeChannel } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../tests/support/global-setup.ts';
import { signJwt } from '../jwt.ts';
import { type RunningStack, startStack } from '../stack.ts';

let stack: RunningStack;
let dir: string;

beforeAll(async () => {
  // Durable commits: what was committed must outlive a crash (the fast test setting `synchronous_commit=off`
  // would lose the last commits, by design).
  delete process.env.LOCAL_SUPABASE_PG_FAST;
  dir = await mkdtemp(path.join(os.tmpdir(), 'local-supabase-restart-'));
  await chmod(dir, 0o755);
  stack = await startStack({ apiPort: await freePort(), dbPort: await freePort(), dataDir: path.join(dir, 'db'), quiet: true });
  const db = new pg.Client({ connectionString: stack.cfg.dbUrl });
  await db.connect();
  await db.query(`create policy "restart test" on realtime.messages for select to authenticated using (realtime.topic() like 'restart:%')`);
  await db.end();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function sql(text: string, params: unknown[] = [], connectionString = stack.cfg.dbUrl) {
  const db = new pg.Client({ connectionString });
  await db.connect();
  try {
    return await db.query(text, params);
  } finally {
    await db.end();
  }
}

function subscribed(ch: RealtimeChannel) {
  return new Promise<void>((resolve, reject) =>
    ch.subscribe((s, err) => (s === 'SUBSCRIBED' ? resolve() : s === 'CHANNEL_ERROR' || s === 'TIMED_OUT' ? reject(err ?? new Error(s)) : undefined)),
  );
}

it('delivers database broadcasts and authorizes new private joins after Postgres restarts', async () => {
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt(stack.cfg.jwtSecret, { sub: randomUUID(), role: 'authenticated', exp: now + 600, iat: now });
  const client = createClient(stack.cfg.apiUrl, stack.cfg.anonKey, { realtime: { transport: WebSocket as never }, auth: { persistSession: false } });
  await client.realtime.setAuth(token);
  const topic = `restart:${randomUUID()}`;
  const got: string[] = [];
  const ch = client.channel(topic, { config: { private: true } });
  ch.on('broadcast', { event: 'note' }, (m) => got.push((m.payload as { text: string }).text));
  await subscribed(ch);
  await sql(`select realtime.send('{"text":"before"}'::jsonb, 'note', $1, true)`, [topic]);
  await expect.poll(() => got, { timeout: 5000 }).toEqual(['before']);

  await stack.postgres.restart();

  // The listener reconnects on its own (with back-off): keep sending until one arrives.
  await expect
    .poll(
      async () => {
        await sql(`select realtime.send('{"text":"after"}'::jsonb, 'note', $1, true)`, [topic]).catch(() => undefined);
        return got.includes('after');
      },
      { timeout: 15_000, interval: 500 },
    )
    .toBe(true);
  const second = client.channel(`restart:${randomUUID()}`, { config: { private: true } });
  await expect(subscribed(second)).resolves.toBeUndefined();
  await client.removeAllChannels();
}, 60_000);

it('while Postgres is down, a private join is refused and a refreshed token ends a private channel, both with "Realtime was unable to connect to the project database"', async () => {
  // Real Realtime's words for both (realtime_channel.ex); the stand-in used to leave the join unanswered (the client
  // waited for its 10 s timeout) and to end a refreshed channel with "You no longer have permission".
  const reason = 'Realtime was unable to connect to the project database';
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt(stack.cfg.jwtSecret, { sub: randomUUID(), role: 'authenticated', exp: now + 600, iat: now });
  const client = createClient(stack.cfg.apiUrl, stack.cfg.anonKey, { realtime: { transport: WebSocket as never }, auth: { persistSession: false } });
  await client.realtime.setAuth(token);
  const joined = client.channel(`restart:${randomUUID()}`, { config: { private: true } });
  const system: { status?: string; message?: string }[] = [];
  let closed = false;
  joined.on('system', {}, (p) => system.push(p as never));
  await new Promise<void>((resolve, reject) =>
    joined.subscribe((s, err) => {
      if (s === 'SUBSCRIBED') resolve();
      else if (s === 'CLOSED') closed = true;
      else reject(err ?? new Error(s));
    }),
  );

  await stack.restartPostgres({
    whileDown: async () => {
      const refused = client.channel(`restart:${randomUUID()}`, { config: { private: true } });
      const started = Date.now();
      const error = await new Promise<Error | string>((resolve) => refused.subscribe((s, err) => s !== 'SUBSCRIBED' && resolve(err ?? s)));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(reason);
      // Answered, not timed out (realtime-js waits 10 s for a reply).
      expect(Date.now() - started).toBeLessThan(5000);
      await client.removeChannel(refused);

      await client.realtime.setAuth(await signJwt(stack.cfg.jwtSecret, { sub: randomUUID(), role: 'authenticated', exp: now + 900, iat: now + 1 }));
      await expect.poll(() => system.find((m) => m.status === 'error')?.message, { timeout: 5000 }).toBe(reason);
      await expect.poll(() => closed, { timeout: 5000 }).toBe(true);
    },
  });
  await client.removeAllChannels();
}, 60_000);

it('answers 503 PGRST000 when the session under a REST request is SIGKILLed, and serves again after crash recovery', async () => {
  await sql(`create function public.restart_test_fast() returns int language sql as 'select 1';
             create function public.restart_test_slow() returns int language sql as 'select 1 from pg_sleep(30)';
             notify pgrst, 'reload schema'`);
  const rest = (fn: string) =>
    fetch(`${stack.cfg.apiUrl}/rest/v1/rpc/${fn}`, {
      method: 'POST',
      headers: { apikey: stack.cfg.serviceRoleKey, Authorization: `Bearer ${stack.cfg.serviceRoleKey}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
  await expect.poll(async () => (await rest('restart_test_fast').catch(() => null))?.status ?? 0, { timeout: 10_000 }).toBe(200);
  // Another slow call; its pooled session is killed while the call is checked out and running (what an OOM kill
  // does). The stack runs in this process, so an unhandled 'error' from that client would fail this file.
  const pending = rest('restart_test_slow');
  let pid = 0;
  await expect
    .poll(async () => {
      const { rows } = await sql(`select pid from pg_stat_activity where query like '%restart_test_slow%' and state = 'active' and pid <> pg_backend_pid()`, [], stack.cfg.adminDbUrl);
      pid = rows[0]?.pid ?? 0;
      return pid;
    }, { timeout: 10_000 })
    .toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');
  const res = await pending;
  expect(res.status).toBe(503);
  expect((await res.json()).code).toBe('PGRST000');
  // The postmaster ends every session and recovers by itself; the pool reconnects.
  await expect.poll(async () => (await sql('select 1 as one').catch(() => null))?.rows[0]?.one ?? 0, { timeout: 30_000, interval: 250 }).toBe(1);
  await expect.poll(async () => (await rest('restart_test_fast').catch(() => null))?.status ?? 0, { timeout: 15_000, interval: 250 }).toBe(200);
}, 90_000);
