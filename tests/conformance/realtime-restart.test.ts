// Realtime keeps working across a Postgres restart: database broadcasts resume and private joins are authorized
// again. Uses its own stack (the shared one must not be restarted under other tests).
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, type RealtimeChannel } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signJwt } from '../../supabase/local/jwt.ts';
import { type RunningStack, startStack } from '../../supabase/local/stack.ts';
import { freePort } from '../support/global-setup.ts';

let stack: RunningStack;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'porchlight-restart-'));
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

async function sql(text: string, params: unknown[] = []) {
  const db = new pg.Client({ connectionString: stack.cfg.dbUrl });
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
