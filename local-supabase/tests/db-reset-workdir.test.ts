// `npm run db:reset -- --workdir DIR` does what `supabase db reset --workdir DIR` does: the project's database is
// wiped and rebuilt from its migrations and seeds, so rows written since are gone and the seed rows are back.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startStack } from '../stack.ts';
import { freePort } from '../temporary-stack.ts';

const WORKDIR = path.resolve('tests/fixtures/workdir-project');
let tmp: string | undefined;

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function labels(dbUrl: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    return (await db.query('select label from public.fixture_items order by id')).rows.map((r) => r.label);
  } finally {
    await db.end();
  }
}

it('rebuilds the workdir project from its migrations and seeds, dropping rows written since', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'local-supabase-reset-'));
  await chmod(tmp, 0o755);
  const opts = { workdir: WORKDIR, apiPort: await freePort(), dbPort: await freePort(), dataDir: path.join(tmp, 'db'), quiet: true };
  const stack = await startStack(opts);
  const db = new pg.Client({ connectionString: stack.cfg.dbUrl });
  await db.connect();
  await db.query(`insert into public.fixture_items values (99, 'written later')`);
  await db.end();
  expect(await labels(stack.cfg.dbUrl)).toContain('written later');
  await stack.stop();

  const args = ['--import', 'tsx', 'local-supabase/main.ts', 'db:reset', '--workdir', WORKDIR];
  args.push('--api-port', String(opts.apiPort), '--db-port', String(opts.dbPort), '--data-dir', opts.dataDir);
  const reset = spawnSync(process.execPath, args, { env: { ...process.env, LOCAL_SUPABASE_PG_FAST: '1' }, encoding: 'utf8' });
  expect(reset.status, reset.stderr).toBe(0);
  expect(reset.stdout).toMatch(/Database reset: migrations and seed re-applied/);

  const again = await startStack(opts);
  try {
    const rows = await labels(again.cfg.dbUrl);
    expect(rows).not.toContain('written later');
    expect(rows.slice(0, 2)).toEqual(['one', 'two']);
  } finally {
    await again.stop();
  }
}, 180_000);

it('refuses an unknown option with its name and the usage line', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'local-supabase/main.ts', 'db:reset', '--wrokdir', 'x'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown option --wrokdir/);
  expect(r.stderr).toMatch(/usage: npm run db:reset -- \[--workdir DIR\]/);
});
