// Conformance: the official supabase-js auth client against the local /auth/v1 (GoTrue subset).
import { AuthApiError, AuthSessionMissingError, AuthWeakPasswordError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db, serviceClient, stack, uniqueEmail } from '../../tests/support/stack.ts';
import { signJwt } from '../jwt.ts';

const PASSWORD = 'correct-horse-battery';

/** A confirmed user (config.toml has email confirmations on, so sign-up gives no session) and its session. */
async function signedUp(email = uniqueEmail()) {
  const made = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { name: 'Ann' } });
  expect(made.error).toBeNull();
  const { data, error } = await client().auth.signInWithPassword({ email, password: PASSWORD });
  expect(error).toBeNull();
  return { email, session: data.session!, user: data.user! };
}

function decode(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('sign-up and sign-in', () => {
  it('signs up with email and password: unconfirmed, no session, and a password sign-in is refused until confirmed', async () => {
    const email = uniqueEmail('signup');
    const { data, error } = await client().auth.signUp({ email, password: PASSWORD, options: { data: { name: 'Ann' } } });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email, user_metadata: { name: 'Ann' }, app_metadata: { provider: 'email', providers: ['email'] } });
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect(data.user?.confirmation_sent_at).toBeTruthy();
    const early = await client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(early.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });
  });

  it('signs in a confirmed user with a session carrying GoTrue claims', async () => {
    const { email, session, user } = await signedUp();
    expect(user.email).toBe(email);
    expect(user.email_confirmed_at).toBeTruthy();
    expect(user.user_metadata).toMatchObject({ name: 'Ann', email_verified: true });
    expect(user.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(user.identities).toHaveLength(1);
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    const claims = decode(session.access_token);
    expect(claims).toMatchObject({
      iss: `${stack().apiUrl}/auth/v1`,
      sub: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.amr[0].method).toBe('password');
    expect(typeof claims.session_id).toBe('string');
  });

  it('stores the password bcrypt-hashed in auth.users', async () => {
    const { user } = await signedUp();
    const c = await db();
    const { rows } = await c.query('select encrypted_password from auth.users where id = $1', [user.id]);
    await c.end();
    expect(rows[0].encrypted_password).toMatch(/^\$2[aby]\$10\$/);
  });

  it('refuses a duplicate email with 422 user_already_exists', async () => {
    const { email } = await signedUp();
    const { data, error } = await client().auth.signUp({ email, password: PASSWORD });
    expect(data.session).toBeNull();
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });
  });

  it('refuses a weak password with AuthWeakPasswordError and its reasons', async () => {
    const { error } = await client().auth.signUp({ email: uniqueEmail(), password: '123' });
    expect(error).toBeInstanceOf(AuthWeakPasswordError);
    expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });
  });

  it('refuses a password longer than 72 bytes', async () => {
    const { error } = await client().auth.signUp({ email: uniqueEmail(), password: 'x'.repeat(73) });
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Password cannot be longer than 72 characters' });
  });

  it('signs in with the right password, and refuses a wrong password or unknown email alike', async () => {
    const { email, user } = await signedUp();
    const ok = await client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.id).toBe(user.id);
    expect(ok.data.user?.last_sign_in_at).toBeTruthy();
    for (const creds of [{ email, password: 'wrong-password' }, { email: uniqueEmail('nobody'), password: PASSWORD }]) {
      const bad = await client().auth.signInWithPassword(creds);
      expect(bad.data.session).toBeNull();
      expect(bad.error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    }
  });

  it('signs in anonymously: is_anonymous user without email or identities, amr anonymous', async () => {
    const { data, error } = await client().auth.signInAnonymously();
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ is_anonymous: true, email: '', app_metadata: {}, identities: [], role: 'authenticated' });
    const claims = decode(data.session!.access_token);
    expect(claims.is_anonymous).toBe(true);
    expect(claims.amr[0].method).toBe('anonymous');
  });

  it('runs triggers on auth.users in the sign-up transaction: a failing trigger writes nothing', async () => {
    const c = await db();
    await c.query(`create schema if not exists conformance_auth`);
    await c.query(`create or replace function conformance_auth.refuse() returns trigger language plpgsql as $$
      begin if new.raw_user_meta_data->>'refuse' = 'yes' then raise exception 'refused by trigger'; end if; return new; end $$`);
    await c.query(`create trigger conformance_refuse after insert on auth.users for each row execute function conformance_auth.refuse()`);
    try {
      const email = uniqueEmail('refused');
      const { error } = await client().auth.signUp({ email, password: PASSWORD, options: { data: { refuse: 'yes' } } });
      // auth-js turns every 5xx into a retryable fetch error and keeps only the status.
      expect(error?.status).toBe(500);
      const { rowCount } = await c.query('select 1 from auth.users where email = $1', [email]);
      expect(rowCount).toBe(0);
    } finally {
      await c.query('drop trigger conformance_refuse on auth.users');
      await c.query('drop schema conformance_auth cascade');
      await c.end();
    }
  });
});

describe('sessions and tokens', () => {
  it('getUser returns the user for a valid access token', async () => {
    const { session, user } = await signedUp();
    const { data, error } = await client().auth.getUser(session.access_token);
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
  });

  it('getUser refuses an expired JWT and a forged one with 403 bad_jwt', async () => {
    const { user, session } = await signedUp();
    const claims = decode(session.access_token);
    const expired = await signJwt(stack().jwtSecret, { ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
    const forged = await signJwt('another-secret-that-is-at-least-32-characters', claims);
    for (const token of [expired, forged]) {
      const { data, error } = await client().auth.getUser(token);
      expect(data.user).toBeNull();
      expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
    }
    expect(user.id).toBeTruthy();
  });

  it('getUser with the anon key (no sub) is refused with bad_jwt missing sub', async () => {
    const { error } = await client().auth.getUser(stack().anonKey);
    expect(error).toMatchObject({ status: 403, code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
  });

  it('refreshes a session with rotation: a new refresh token, the old one revoked', async () => {
    const { session } = await signedUp();
    const { data, error } = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(error).toBeNull();
    expect(data.session?.refresh_token).not.toBe(session.refresh_token);
    expect(decode(data.session!.access_token).session_id).toBe(decode(session.access_token).session_id);
    const c = await db();
    const { rows } = await c.query('select revoked from auth.refresh_tokens where token = $1', [session.refresh_token]);
    await c.end();
    expect(rows[0].revoked).toBe(true);
  });

  it('re-presenting the parent of the active token returns that same active token', async () => {
    const { session } = await signedUp();
    const first = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    const again = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(again.error).toBeNull();
    expect(again.data.session?.refresh_token).toBe(first.data.session?.refresh_token);
  });

  it('refuses reuse of a revoked token outside the reuse interval and revokes the whole family', async () => {
    const { session } = await signedUp();
    const first = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    const second = await client().auth.refreshSession({ refresh_token: first.data.session!.refresh_token });
    expect(second.error).toBeNull();
    const c = await db();
    // Simulate time passing beyond refresh_token_reuse_interval (10 s).
    await c.query(`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`, [session.refresh_token]);
    const reuse = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(reuse.data.session).toBeNull();
    expect(reuse.error).toMatchObject({ status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
    const active = await c.query('select count(*)::int as n from auth.refresh_tokens where session_id = $1 and revoked = false', [
      decode(session.access_token).session_id,
    ]);
    await c.end();
    expect(active.rows[0].n).toBe(0);
  });

  it('refuses an unknown refresh token with refresh_token_not_found', async () => {
    const { error } = await client().auth.refreshSession({ refresh_token: 'abcdefghijkl' });
    expect(error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
  });

  it('updates user metadata (merge, null deletes) and the password; the same password is refused', async () => {
    const { email, session } = await signedUp();
    const c = client();
    await c.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    const meta = await c.auth.updateUser({ data: { plan: 'pro', name: null } });
    expect(meta.error).toBeNull();
    expect(meta.data.user?.user_metadata).toMatchObject({ plan: 'pro' });
    expect(meta.data.user?.user_metadata).not.toHaveProperty('name');
    const same = await c.auth.updateUser({ password: PASSWORD });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
    const changed = await c.auth.updateUser({ password: 'a-brand-new-password' });
    expect(changed.error).toBeNull();
    const signIn = await client().auth.signInWithPassword({ email, password: 'a-brand-new-password' });
    expect(signIn.error).toBeNull();
  });

  it('global sign-out ends every session: the old access token then gets session_not_found', async () => {
    const { email, session } = await signedUp();
    const other = await client().auth.signInWithPassword({ email, password: PASSWORD });
    const c = client();
    await c.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    const { error } = await c.auth.signOut({ scope: 'global' });
    expect(error).toBeNull();
    // GoTrue answers 403 session_not_found; auth-js reports it as AuthSessionMissingError.
    const after = await client().auth.getUser(other.data.session!.access_token);
    expect(after.data.user).toBeNull();
    expect(after.error).toBeInstanceOf(AuthSessionMissingError);
    const refresh = await client().auth.refreshSession({ refresh_token: other.data.session!.refresh_token });
    expect(refresh.error?.status).toBe(400);
  });

  it('sign-out with scope others keeps the current session', async () => {
    const { email, session } = await signedUp();
    const other = await client().auth.signInWithPassword({ email, password: PASSWORD });
    const c = client();
    await c.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    expect((await c.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await client().auth.getUser(session.access_token)).error).toBeNull();
    expect((await client().auth.getUser(other.data.session!.access_token)).error).toBeInstanceOf(AuthSessionMissingError);
  });
});

describe('admin users', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const id of created) await serviceClient().auth.admin.deleteUser(id);
  });

  it('creates, gets, updates, lists and deletes users with the service role', async () => {
    const admin = serviceClient().auth.admin;
    const email = uniqueEmail('admin-made');
    const made = await admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { display: 'Bo' }, app_metadata: { tier: 'gold' } });
    expect(made.error).toBeNull();
    expect(made.data.user).toMatchObject({ email, user_metadata: { display: 'Bo' }, app_metadata: { provider: 'email', providers: ['email'], tier: 'gold' } });
    const id = made.data.user!.id;
    const got = await admin.getUserById(id);
    expect(got.data.user?.email).toBe(email);
    const upd = await admin.updateUserById(id, { user_metadata: { display: 'Bob' } });
    expect(upd.data.user?.user_metadata).toMatchObject({ display: 'Bob' });
    const list = await admin.listUsers({ page: 1, perPage: 2 });
    expect(list.error).toBeNull();
    expect(list.data.users).toHaveLength(2);
    expect((list.data as { total?: number }).total).toBeGreaterThan(2);
    expect((list.data as { nextPage?: number | null }).nextPage).toBe(2);
    const del = await admin.deleteUser(id);
    expect(del.error).toBeNull();
    const gone = await admin.getUserById(id);
    expect(gone.error).toMatchObject({ status: 404, code: 'user_not_found', message: 'User not found' });
  });

  it('refuses to create a second user with the same email: 422 email_exists', async () => {
    const email = uniqueEmail('dup');
    const first = await serviceClient().auth.admin.createUser({ email, password: PASSWORD });
    created.push(first.data.user!.id);
    const second = await serviceClient().auth.admin.createUser({ email, password: PASSWORD });
    expect(second.error).toMatchObject({ status: 422, code: 'email_exists' });
  });

  it('refuses admin calls from the anon key and from a signed-in user: 403 not_admin', async () => {
    const anon = await client().auth.admin.listUsers();
    expect(anon.error).toMatchObject({ status: 403, code: 'not_admin', message: 'User not allowed' });
    const { session } = await signedUp();
    const asUser = client(stack().anonKey, { global: { headers: { Authorization: `Bearer ${session.access_token}` } } });
    const res = await asUser.auth.admin.createUser({ email: uniqueEmail(), password: PASSWORD });
    expect(res.error).toMatchObject({ status: 403, code: 'not_admin' });
  });
});

describe('wire details', () => {
  let base: string;
  beforeAll(() => {
    base = `${stack().apiUrl}/auth/v1`;
  });

  it('answers health, settings (anonymous sign-ins on, email confirmations on) and an empty JWKS', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const settings = await (await fetch(`${base}/settings`, { headers: { apikey: stack().anonKey } })).json();
    expect(settings).toMatchObject({ external: { anonymous_users: true, email: true, phone: false }, disable_signup: false, mailer_autoconfirm: false });
    const jwks = await fetch(`${base}/.well-known/jwks.json`);
    expect(await jwks.json()).toEqual({ keys: [] });
  });

  it('uses the legacy error format when no API version header is sent', async () => {
    const res = await fetch(`${base}/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('nobody'), password: 'whatever-123' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(await res.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
  });

  it('echoes X-Supabase-Api-Version with the {code,message} format', async () => {
    const res = await fetch(`${base}/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', 'X-Supabase-Api-Version': '2024-01-01' },
      body: '{"email":',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect((await res.json()).code).toBe('bad_json');
  });

  it('answers a JWT of a deleted session with 403 session_not_found', async () => {
    const { email } = await signedUp();
    const s = await client().auth.signInWithPassword({ email, password: PASSWORD });
    const c = await db();
    await c.query('delete from auth.sessions where id = $1', [decode(s.data.session!.access_token).session_id]);
    await c.end();
    const res = await fetch(`${base}/user`, {
      headers: { apikey: stack().anonKey, Authorization: `Bearer ${s.data.session!.access_token}`, 'X-Supabase-Api-Version': '2024-01-01' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' });
  });

  it('refuses /user without any bearer token with 401 no_authorization', async () => {
    const res = await fetch(`${base}/user`, { headers: { apikey: stack().anonKey, Authorization: 'Basic abc', 'X-Supabase-Api-Version': '2024-01-01' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'no_authorization', message: 'This endpoint requires a valid Bearer token' });
  });
});
