// Conformance: what hosted Auth refuses, the stand-in refuses the same way, seen through supabase-js: more than
// `[auth.rate_limit] anonymous_users` (30) anonymous sign-ins an hour from one address, and tokens of users or
// sessions deleted server-side.
import { randomUUID } from 'node:crypto';
import { AuthApiError, AuthSessionMissingError, createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { client, db, serviceClient, stack, uniqueEmail } from '../../tests/support/stack.ts';
import { loadConfig } from '../config.ts';
import type { StackContext } from '../context.ts';
import { signJwt } from '../jwt.ts';
import { type RunningApi, startApi } from '../stack.ts';
import { freePort } from '../temporary-stack.ts';

const PASSWORD = 'correct-horse-battery';

describe('anonymous sign-ins per address', () => {
  // The shared test stack raises the limit for the whole suite; this gateway (and its auth service) runs on the
  // same Postgres with the limit config.toml sets, and has never seen an address.
  let ctx: StackContext;
  let api: RunningApi;
  let apiUrl: string;

  beforeAll(async () => {
    delete process.env.LOCAL_SUPABASE_AUTH_ANONYMOUS_PER_HOUR;
    const cfg = loadConfig({ apiPort: await freePort(), dbPort: Number(new URL(stack().adminDbUrl).port), quiet: true });
    ctx = { cfg, pool: new pg.Pool({ connectionString: cfg.adminDbUrl, max: 4 }), log: () => undefined };
    api = await startApi(ctx);
    apiUrl = cfg.apiUrl;
  });

  afterAll(async () => {
    await api?.stop();
    await ctx?.pool.end();
  });

  const anonClient = (headers: Record<string, string> = {}) =>
    createClient(apiUrl, stack().anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers },
      realtime: { transport: WebSocket as never },
    });

  it('reads the limit from config.toml: 30 an hour, hosted Auth’s default', () => {
    expect(ctx.cfg.auth.anonymousUsersPerHour).toBe(30);
  });

  it('refuses the 31st anonymous sign-in within the hour from one address with 429 over_request_rate_limit, storing nothing', async () => {
    const probe = randomUUID();
    const c = anonClient();
    for (let i = 1; i <= 30; i++) {
      const { error } = await c.auth.signInAnonymously({ options: { data: { probe } } });
      expect(error, `sign-in ${i}`).toBeNull();
    }
    const { data, error } = await c.auth.signInAnonymously({ options: { data: { probe } } });
    expect(data.session).toBeNull();
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status: 429, code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    // Without X-Supabase-Api-Version, GoTrue's legacy error body.
    const res = await fetch(`${apiUrl}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { probe } }),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' });
    const admin = await db();
    const { rows } = await admin.query(`select count(*)::int as n from auth.users where raw_user_meta_data->>'probe' = $1`, [probe]);
    await admin.end();
    expect(rows[0].n).toBe(30);
  });

  it('still signs in with email and password from a limited address', async () => {
    const email = uniqueEmail('limited');
    const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
    expect(created.error).toBeNull();
    const c = anonClient({ 'X-Forwarded-For': '198.51.100.20' });
    for (let i = 1; i <= 30; i++) await c.auth.signInAnonymously();
    expect((await c.auth.signInAnonymously()).error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    const { data, error } = await c.auth.signInWithPassword({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
  });

  it('counts by the first X-Forwarded-For address, as GoTrue behind Kong does: another address has its own 30', async () => {
    const other = anonClient({ 'X-Forwarded-For': '203.0.113.7' });
    for (let i = 1; i <= 30; i++) expect((await other.auth.signInAnonymously()).error, `sign-in ${i}`).toBeNull();
    expect((await other.auth.signInAnonymously()).error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    expect((await anonClient({ 'X-Forwarded-For': '203.0.113.8, 10.0.0.1' }).auth.signInAnonymously()).error).toBeNull();
  });
});

describe('sessions ended server-side', () => {
  async function signedIn() {
    const email = uniqueEmail('ended');
    // Email confirmations are on (config.toml): a confirmed user comes from the admin API.
    expect((await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true })).error).toBeNull();
    const up = await client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(up.error).toBeNull();
    return up.data.session!;
  }

  it('answers getUser with session_not_found and refuses the refresh token once SQL deletes the user’s sessions', async () => {
    const session = await signedIn();
    const admin = await db();
    // What a trigger does when a member is removed: delete the sessions; the refresh tokens go with them.
    await admin.query('delete from auth.sessions where user_id = $1', [session.user.id]);
    const left = await admin.query('select count(*)::int as n from auth.refresh_tokens where user_id = $1', [session.user.id]);
    await admin.end();
    expect(left.rows[0].n).toBe(0);
    const user = await client().auth.getUser(session.access_token);
    expect(user.data.user).toBeNull();
    expect(user.error).toBeInstanceOf(AuthSessionMissingError);
    const raw = await fetch(`${stack().apiUrl}/auth/v1/user`, {
      headers: { apikey: stack().anonKey, Authorization: `Bearer ${session.access_token}`, 'X-Supabase-Api-Version': '2024-01-01' },
    });
    expect(raw.status).toBe(403);
    expect(await raw.json()).toEqual({ code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' });
    const refreshed = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.data.session).toBeNull();
    expect(refreshed.error).toBeInstanceOf(AuthApiError);
    expect(refreshed.error).toMatchObject({ status: 400, code: 'refresh_token_not_found', message: 'Invalid Refresh Token: Refresh Token Not Found' });
  });

  it('answers the token of a deleted user with 403 user_not_found: GoTrue looks up the user before the session', async () => {
    const session = await signedIn();
    expect((await serviceClient().auth.admin.deleteUser(session.user.id)).error).toBeNull();
    const { error } = await client().auth.getUser(session.access_token);
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status: 403, code: 'user_not_found', message: 'User from sub claim in JWT does not exist' });
  });

  it('refuses a JWT whose sub is not a UUID with 400 bad_jwt', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await signJwt(stack().jwtSecret, { sub: 'not-a-uuid', role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 });
    const { error } = await client().auth.getUser(jwt);
    expect(error).toMatchObject({ status: 400, code: 'bad_jwt', message: 'invalid claim: sub claim must be a UUID' });
  });
});
