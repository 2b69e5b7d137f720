// A data folder made by an older version (its notify trigger under the old name, on the old channel) is brought up
// to date on start: the old trigger is gone and database broadcasts reach subscribers again.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningStack, startStack } from '../stack.ts';
import { freePort } from '../temporary-stack.ts';

let stack: RunningStack | undefined;
let dir: string | undefined;

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sql(url: string, text: string) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await db.query(text);
  } finally {
    await db.end();
  }
}

it('replaces an older notify trigger and delivers database broadcasts again', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'local-supabase-older-'));
  await chmod(dir, 0o755);
  const opts = { apiPort: await freePort(), dbPort: await freePort(), dataDir: path.join(dir, 'db'), quiet: true };
  stack = await startStack(opts);
  // What older versions created: the trigger notifying a channel nobody listens to any more.
  await sql(
    stack.cfg.adminDbUrl,
    `drop trigger local_supabase_notify_message on realtime.messages;
     create function realtime.porchlight_notify_message() returns trigger language plpgsql as $$
     begin perform pg_notify('porchlight_realtime_messages', new.id::text); return null; end $$;
     create trigger porchlight_notify_message after insert on realtime.messages
       for each row execute function realtime.porchlight_notify_message();`,
  );
  await stack.stop();
  stack = await startStack(opts);

  const { rows } = await sql(
    stack.cfg.adminDbUrl,
    `select tgname from pg_trigger where tgrelid = 'realtime.messages'::regclass and not tgisinternal order by tgname`,
  );
  expect(rows.map((r) => r.tgname)).toEqual(['local_supabase_notify_message']);

  const client = createClient(stack.cfg.apiUrl, stack.cfg.anonKey, { realtime: { transport: WebSocket as never }, auth: { persistSession: false } });
  const topic = `older:${randomUUID()}`;
  const received = new Promise<unknown>((resolve) => {
    client.channel(topic).on('broadcast', { event: 'ping' }, (m) => resolve(m.payload)).subscribe((s) => {
      if (s === 'SUBSCRIBED') void sql(stack!.cfg.dbUrl, `select realtime.send('{"n": 1}'::jsonb, 'ping', '${topic}', false)`);
    });
  });
  expect(await received).toMatchObject({ n: 1 });
  await client.removeAllChannels();
}, 120_000);
