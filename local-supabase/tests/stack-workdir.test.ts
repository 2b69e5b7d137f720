// Conformance: `npm run stack -- --workdir DIR` runs another Supabase project folder like `supabase start
// --workdir DIR` (issue 17): its config.toml, migrations, seeds and functions, on the ports asked for, and writes
// the status file `supabase status -o json` would print.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTemporaryStackProcess, type TemporaryStackProcess } from '../temporary-stack.ts';

const WORKDIR = path.resolve('tests/fixtures/workdir-project');
let stack: TemporaryStackProcess;
let status: Record<string, string>;

beforeAll(async () => {
  stack = await startTemporaryStackProcess({
    name: 'local-supabase-workdir',
    args: (dir) => ['--workdir', WORKDIR, '--status-file', path.join(dir, 'status.json')],
    // An empty Deno cache (functions must run offline from node_modules); only the fixture's own functions.
    env: (dir) => ({ DENO_DIR: path.join(dir, 'deno-cache'), LOCAL_SUPABASE_EXTRA_FUNCTIONS_DIRS: undefined }),
  });
  const statusFile = path.join(stack.dir, 'status.json');
  // The file is written once the stack is healthy, just after its API first answers.
  while (!existsSync(statusFile)) {
    if (stack.child.exitCode !== null) throw new Error(`the stack exited (${stack.child.exitCode}):\n${stack.output()}`);
    await sleep(200);
  }
  status = JSON.parse(readFileSync(statusFile, 'utf8'));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** supabase-js against the workdir stack (Node 20 needs the ws transport). */
function fixtureClient(key: string) {
  return createClient(status.API_URL!, key, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } });
}

describe('npm run stack -- --workdir', () => {
  it('writes the status file with the fields of supabase status -o json, on the ports asked for', () => {
    expect(status.API_URL).toBe(`http://127.0.0.1:${stack.apiPort}`);
    expect(status.DB_URL).toBe(`postgresql://postgres:postgres@127.0.0.1:${stack.dbPort}/postgres`);
    for (const k of ['ANON_KEY', 'SERVICE_ROLE_KEY', 'JWT_SECRET', 'PUBLISHABLE_KEY', 'SECRET_KEY']) expect(status[k]).toMatch(/\S{20,}/);
  });

  it("applies the folder's migration and its seed files in order, and its config.toml's max_rows", async () => {
    const db = new pg.Client({ connectionString: status.DB_URL });
    await db.connect();
    try {
      const { rows } = await db.query('select count(*)::int as n from public.fixture_items');
      expect(rows[0].n).toBe(5);
    } finally {
      await db.end();
    }
    const supabase = fixtureClient(status.ANON_KEY!);
    const { data, count, error } = await supabase.from('fixture_items').select('label', { count: 'exact' }).order('id');
    expect(error).toBeNull();
    // [api] max_rows = 3 in the fixture (this repository's own is 1000).
    expect(data).toEqual([{ label: 'one' }, { label: 'two' }, { label: 'three' }]);
    expect(count).toBe(5);
  });

  it("serves the folder's own Edge Function and honours its auth settings", async () => {
    const supabase = fixtureClient(status.PUBLISHABLE_KEY!);
    const fn = await supabase.functions.invoke('hello', { method: 'GET' });
    expect(fn.error).toBeNull();
    expect(fn.data).toEqual({ hello: 'from the workdir fixture' });
    // The fixture turns anonymous sign-ins off (this repository's config.toml turns them on).
    const anon = await supabase.auth.signInAnonymously();
    expect(anon.data.user).toBeNull();
    expect(anon.error?.code).toBe('anonymous_provider_disabled');
  });
});
