// The hosted dashboard's environment is checked at boot: a missing or malformed variable is named, and nothing
// starts (the embed code used to point at 127.0.0.1 when WIDGET_SCRIPT_URL was not set).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envProblems } from '../../app/lib/env.server.ts';

const complete = {
  SUPABASE_URL: 'https://abcdefghijklmnop.supabase.co',
  SUPABASE_ANON_KEY: 'sb_publishable_0123456789abcdefghij',
  SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_0123456789abcdefghijklmn',
  WIDGET_SCRIPT_URL: 'https://cdn.example.com/porchlight/widget.js',
};

describe('the dashboard environment', () => {
  it('accepts a complete hosted environment', () => {
    expect(envProblems(complete, { hosted: true })).toEqual([]);
  });

  it('names each missing or malformed variable', () => {
    expect(envProblems({ ...complete, SUPABASE_URL: undefined }, { hosted: true })).toEqual(['SUPABASE_URL is not set']);
    expect(envProblems({ ...complete, SUPABASE_URL: 'abc.supabase.co' })).toEqual(['SUPABASE_URL must be a URL (https://…)']);
    expect(envProblems({ ...complete, SUPABASE_ANON_KEY: '' })).toEqual(['SUPABASE_ANON_KEY is not set']);
  });

  it('requires WIDGET_SCRIPT_URL when hosted, and only then', () => {
    expect(envProblems({ ...complete, WIDGET_SCRIPT_URL: undefined })).toEqual([]);
    expect(envProblems({ ...complete, WIDGET_SCRIPT_URL: undefined }, { hosted: true })).toEqual([
      'WIDGET_SCRIPT_URL is not set (the URL of widget.js where you host widget/dist)',
    ]);
  });

  it('app/serve.ts refuses to start without them and says which', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'app/serve.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SUPABASE_URL: complete.SUPABASE_URL } as unknown as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('SUPABASE_ANON_KEY is not set');
    expect(run.stderr).toContain('WIDGET_SCRIPT_URL is not set');
  });
});
