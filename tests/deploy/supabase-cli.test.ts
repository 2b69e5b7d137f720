// The real Supabase CLI (devDependency `supabase`) reads this project as `supabase db push` would: it parses
// supabase/config.toml without complaint and sees every migration file applied, with nothing left to push, on
// the local stand-in's database (no Docker needed for these commands). A key the CLI no longer accepts, a
// malformed migration name or a migration the stand-in applied differently from the history fails here.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/stack.ts';

const run = promisify(execFile);
const CLI = path.resolve('node_modules/.bin/supabase');

async function supabase(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await run(CLI, [...args, '--workdir', path.resolve('.'), '--db-url', `${stack().dbUrl}?sslmode=disable`, '--agent', 'no'], {
    env: { ...process.env, DO_NOT_TRACK: '1', SUPABASE_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { stdout, stderr };
}

const versions = readdirSync(path.resolve('supabase/migrations'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.split('_')[0]!);

describe('the Supabase CLI on this project', () => {
  it('names every migration <14-digit version>_<name>.sql', () => {
    for (const f of readdirSync(path.resolve('supabase/migrations'))) expect(f).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/);
  });

  it('lists every migration as applied on the local database, and warns about nothing in config.toml', async () => {
    const { stdout, stderr } = await supabase('migration', 'list');
    expect(stderr).not.toMatch(/no longer supported|deprecated|unknown|invalid/i);
    for (const v of versions) expect(stdout).toMatch(new RegExp(`\`${v}\`\\s*\\|\\s*\`${v}\``));
  }, 90_000);

  it('finds nothing to push: the stand-in applied exactly the migration files', async () => {
    const { stdout, stderr } = await supabase('db', 'push', '--dry-run');
    expect(`${stdout}${stderr}`).toContain('up to date');
  }, 90_000);
});
