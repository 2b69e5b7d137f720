// Conformance: a migration valid on hosted Supabase applies locally (issue 17): as `postgres`, in one
// transaction like the migration runner, it sets PostgREST's in-database settings and API-role timeouts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { db } from '../../tests/support/stack.ts';

const MIGRATION = path.resolve('tests/fixtures/hosted-migrations/20260101000000_authenticator_settings.sql');

describe('hosted-valid migrations', () => {
  it('lets postgres alter the authenticator and API roles and set pgrst.* settings, as on hosted projects', async () => {
    const c = await db('postgres');
    try {
      await c.query('begin');
      await c.query(readFileSync(MIGRATION, 'utf8'));
      const { rows } = await c.query<{ role: string; config: string[] }>(
        `select r.rolname as role, s.setconfig as config from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
          where r.rolname in ('authenticator', 'anon') and s.setdatabase = 0 order by 1`,
      );
      const byRole = Object.fromEntries(rows.map((r) => [r.role, r.config]));
      expect(byRole.authenticator).toEqual(expect.arrayContaining(['pgrst.db_schemas=public, graphql_public', 'pgrst.db_max_rows=500', 'statement_timeout=10s']));
      expect(byRole.anon).toEqual(expect.arrayContaining(['statement_timeout=5s']));
    } finally {
      // The suite shares one stack: its role settings stay as the bootstrap made them.
      await c.query('rollback');
      await c.end();
    }
  });

  it('still keeps the roles hosted projects reserve out of reach of postgres', async () => {
    const c = await db('postgres');
    try {
      await expect(c.query(`alter role supabase_admin set statement_timeout = '1s'`)).rejects.toThrow(/permission denied/);
    } finally {
      await c.end();
    }
  });
});
