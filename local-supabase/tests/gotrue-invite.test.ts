// Conformance: invites and email links through official supabase-js (inviteUserByEmail, verifyOtp), the local mail catcher's API, and the email provider switch.
import { AuthApiError, createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { client, db, serviceClient, stack, uniqueEmail } from '../../tests/support/stack.ts';
import { loadConfig } from '../config.ts';
import type { StackContext } from '../context.ts';
import { type RunningApi, startApi } from '../stack.ts';
import { freePort } from '../temporary-stack.ts';

interface Summary {
  ID: string;
  To: { Address: string }[];
  Subject: string;
}

async function inbox(to: string): Promise<Summary[]> {
  const res = await fetch(`${stack().mailUrl}/api/v1/messages?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Summary[] }).messages;
}

async function message(id: string): Promise<{ Subject: string; HTML: string; Text: string; To: { Address: string }[] }> {
  const res = await fetch(`${stack().mailUrl}/api/v1/message/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** The token hash of the latest mail to `to` (our invite template links to the dashboard with it). */
async function tokenHashFor(to: string): Promise<string> {
  const [latest] = await inbox(to);
  expect(latest).toBeDefined();
  const html = (await message(latest!.ID)).HTML.replace(/&amp;/g, '&');
  const hash = /token_hash=([0-9a-f]{56})/.exec(html)?.[1];
  expect(hash).toBeDefined();
  return hash!;
}

describe('POST /invite and the invite mail', () => {
  it('creates an unconfirmed user with invited_at and mails a link to the catcher', async () => {
    const email = uniqueEmail('invited');
    const redirectTo = 'http://127.0.0.1:3999/auth/confirm?next=/invitations';
    const { data, error } = await serviceClient().auth.admin.inviteUserByEmail(email, { redirectTo, data: { display_name: 'Ivy' } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, user_metadata: { display_name: 'Ivy' }, app_metadata: { provider: 'email', providers: ['email'] } });
    expect(data.user?.invited_at).toBeTruthy();
    expect(data.user?.email_confirmed_at).toBeUndefined();
    const mails = await inbox(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ Subject: 'You have been invited to Porchlight', To: [{ Address: email }] });
    const body = (await message(mails[0]!.ID)).HTML.replace(/&amp;/g, '&');
    expect(body).toContain(`${redirectTo}&token_hash=`);
    const list = await (await fetch(`${stack().mailUrl}/`)).text();
    expect(list).toContain(email);
  });

  it('refuses an invite from the anon key or a signed-in user (403 not_admin) and sends nothing', async () => {
    const email = uniqueEmail('not-invited');
    const anon = await client().auth.admin.inviteUserByEmail(email);
    expect(anon.error).toMatchObject({ status: 403, code: 'not_admin' });
    expect(await inbox(email)).toEqual([]);
  });

  it('invites an address someone registered in advance (unconfirmed): same user, a fresh invite mail', async () => {
    const email = uniqueEmail('pre-registered');
    const up = await client().auth.signUp({ email, password: 'squatter-pass-1' });
    expect(up.error).toBeNull();
    const { data, error } = await serviceClient().auth.admin.inviteUserByEmail(email);
    expect(error).toBeNull();
    expect(data.user?.id).toBe(up.data.user?.id);
    expect(data.user?.invited_at).toBeTruthy();
    expect((await inbox(email)).map((m) => m.Subject)).toEqual(['You have been invited to Porchlight', 'Confirm your email address']);
  });

  it('refuses to invite an email that already has a confirmed user: 422 email_exists', async () => {
    const email = uniqueEmail('existing');
    await serviceClient().auth.admin.createUser({ email, password: 'existing-pass-1', email_confirm: true });
    const { error } = await serviceClient().auth.admin.inviteUserByEmail(email);
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error).toMatchObject({ status: 422, code: 'email_exists' });
    expect(await inbox(email)).toEqual([]);
  });
});

describe('verifying the link', () => {
  it('verifyOtp({ type: invite, token_hash }) confirms the email and returns a session, once', async () => {
    const email = uniqueEmail('verify');
    await serviceClient().auth.admin.inviteUserByEmail(email, { redirectTo: 'http://127.0.0.1:3999/auth/confirm?next=/invitations' });
    const tokenHash = await tokenHashFor(email);
    const sb = client();
    const { data, error } = await sb.auth.verifyOtp({ type: 'invite', token_hash: tokenHash });
    expect(error).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.user).toMatchObject({ email });
    expect(data.user?.email_confirmed_at).toBeTruthy();
    const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.amr[0].method).toBe('otp');
    // The invited user sets a password with that session, then signs in with it.
    expect((await sb.auth.updateUser({ password: 'chosen-password-1' })).error).toBeNull();
    expect((await client().auth.signInWithPassword({ email, password: 'chosen-password-1' })).error).toBeNull();

    const again = await client().auth.verifyOtp({ type: 'invite', token_hash: tokenHash });
    expect(again.data.session).toBeNull();
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Email link is invalid or has expired' });
  });

  it('keeps the link session’s amr (otp) across a token refresh, as GoTrue does', async () => {
    const email = uniqueEmail('amr');
    await serviceClient().auth.admin.inviteUserByEmail(email);
    const sb = client();
    const { data } = await sb.auth.verifyOtp({ type: 'invite', token_hash: await tokenHashFor(email) });
    const refreshed = await sb.auth.refreshSession({ refresh_token: data.session!.refresh_token });
    expect(refreshed.error).toBeNull();
    const claims = JSON.parse(Buffer.from(refreshed.data.session!.access_token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.amr[0].method).toBe('otp');
  });

  it('refuses an expired link with 403 otp_expired', async () => {
    const email = uniqueEmail('expired');
    await serviceClient().auth.admin.inviteUserByEmail(email);
    const tokenHash = await tokenHashFor(email);
    const c = await db('supabase_admin');
    await c.query(`update auth.users set confirmation_sent_at = now() - interval '2 hours' where email = $1`, [email]);
    await c.end();
    const { error } = await client().auth.verifyOtp({ type: 'invite', token_hash: tokenHash });
    expect(error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('GET /verify redirects to redirect_to with the session, or the error, in the fragment', async () => {
    const email = uniqueEmail('get-verify');
    await serviceClient().auth.admin.inviteUserByEmail(email);
    const tokenHash = await tokenHashFor(email);
    const to = 'http://127.0.0.1:3999/welcome';
    const verify = (token: string) =>
      fetch(`${stack().apiUrl}/auth/v1/verify?token=${token}&type=invite&redirect_to=${encodeURIComponent(to)}`, { redirect: 'manual', headers: { apikey: stack().anonKey } });
    const ok = await verify(tokenHash);
    expect(ok.status).toBe(303);
    const location = new URL(ok.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(to);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('type')).toBe('invite');
    expect(fragment.get('token_type')).toBe('bearer');
    expect((await client().auth.getUser(fragment.get('access_token')!)).data.user?.email).toBe(email);

    const reused = new URL((await verify(tokenHash)).headers.get('location')!);
    expect(Object.fromEntries(new URLSearchParams(reused.hash.slice(1)))).toMatchObject({ error: 'access_denied', error_code: 'otp_expired' });
  });

  it('sends a sign-up’s confirmation mail whose link confirms the address', async () => {
    const email = uniqueEmail('confirm');
    const up = await client().auth.signUp({ email, password: 'signup-pass-1' });
    expect(up.error).toBeNull();
    expect(up.data.session).toBeNull();
    const [mail] = await inbox(email);
    expect(mail?.Subject).toBe('Confirm your email address');
    const link = /href="([^"]+)"/.exec((await message(mail!.ID)).HTML)![1]!.replace(/&amp;/g, '&');
    const res = await fetch(link, { redirect: 'manual', headers: { apikey: stack().anonKey } });
    expect(res.status).toBe(303);
    expect(new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1)).get('access_token')).toBeTruthy();
    expect((await client().auth.signInWithPassword({ email, password: 'signup-pass-1' })).error).toBeNull();
  });
});

describe('[auth.email] enable_signup = false, as GoTrue reads it', () => {
  // A second gateway on the same Postgres with the email provider off: why config.toml keeps it on.
  let ctx: StackContext;
  let api: RunningApi;
  let off: ReturnType<typeof createClient>;

  beforeAll(async () => {
    const cfg = loadConfig({ apiPort: await freePort(), dbPort: Number(new URL(stack().adminDbUrl).port), quiet: true });
    cfg.auth.emailSignup = false;
    ctx = { cfg, pool: new pg.Pool({ connectionString: cfg.adminDbUrl, max: 4 }), log: () => undefined };
    api = await startApi(ctx);
    off = createClient(cfg.apiUrl, stack().anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
  });
  afterAll(async () => {
    await api?.stop();
    await ctx?.pool.end();
  });

  it('refuses email sign-up with 400 email_provider_disabled and stores nothing', async () => {
    const email = uniqueEmail('provider-off');
    const { data, error } = await off.auth.signUp({ email, password: 'provider-off-1' });
    expect(data.user).toBeNull();
    expect(error).toMatchObject({ status: 400, code: 'email_provider_disabled', message: 'Email signups are disabled' });
    const c = await db();
    expect((await c.query('select 1 from auth.users where email = $1', [email])).rowCount).toBe(0);
    await c.end();
  });

  it('refuses email logins too (422 email_provider_disabled), while anonymous sign-ins still work', async () => {
    const email = uniqueEmail('provider-off-login');
    await serviceClient().auth.admin.createUser({ email, password: 'provider-off-1', email_confirm: true });
    const { error } = await off.auth.signInWithPassword({ email, password: 'provider-off-1' });
    expect(error).toMatchObject({ status: 422, code: 'email_provider_disabled', message: 'Email logins are disabled' });
    expect((await off.auth.signInAnonymously()).error).toBeNull();
  });
});
