// The dashboard's loaders and actions against the real stack: guards (sign-in, admin-only, other
// companies), validation (field errors) and the writes they make through RLS.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as dashboardRoute from '../../app/routes/_dashboard/route.tsx';
import * as inboxRoute from '../../app/routes/_dashboard.inbox/route.tsx';
import * as conversationRoute from '../../app/routes/_dashboard.inbox.$conversationId/route.tsx';
import * as widgetSettingsRoute from '../../app/routes/_dashboard.settings.widget/route.tsx';
import * as teamRoute from '../../app/routes/_dashboard.team/route.tsx';
import * as confirmRoute from '../../app/routes/auth.confirm/route.tsx';
import * as companyRoute from '../../app/routes/company/route.tsx';
import * as olderInboxRoute from '../../app/routes/inbox.older/route.ts';
import * as invitationsRoute from '../../app/routes/invitations/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import * as logoutRoute from '../../app/routes/logout/route.ts';
import * as previewRoute from '../../app/routes/settings.widget-preview/route.ts';
import { db, stack } from '../support/stack.ts';
import { call, cookiesFrom, createCompany, createLogin, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let globex: Fixture;

async function signIn(user: { email: string; password: string }): Promise<string> {
  const res = await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' } });
  expect(res.status).toBe(302);
  const cookie = cookiesFrom(res);
  expect(cookie).toMatch(/sb-[^=]+-auth-token/);
  return cookie;
}

let acmeAdmin: string;
let acmeAgent: string;
let globexAgent: string;

beforeAll(async () => {
  useTestStackEnv();
  [acme, globex] = await Promise.all([createCompany('Acme'), createCompany('Globex')]);
  [acmeAdmin, acmeAgent, globexAgent] = await Promise.all([signIn(acme.admin), signIn(acme.agent), signIn(globex.agent)]);
});

describe('sign-in and sign-out', () => {
  it('redirects an anonymous request to /login, remembering where it was going', async () => {
    const res = await call(inboxRoute.loader, '/inbox?status=pending');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/login?redirectTo=%2Finbox%3Fstatus%3Dpending');
  });

  it('redirects anonymous admin actions to /login too (before looking at input)', async () => {
    const res = await call(widgetSettingsRoute.action, '/settings/widget', { form: { title: '' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/login?redirectTo=%2Fsettings%2Fwidget');
  });

  it('answers a malformed sign-in with field errors', async () => {
    const res = await call(loginRoute.action, '/login', { form: { email: 'not-an-email', password: '' } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('validation_failed');
    expect(Object.keys(body.fieldErrors).sort()).toEqual(['email', 'password']);
  });

  it('refuses a wrong password with invalid_credentials and sets no session', async () => {
    const res = await call(loginRoute.action, '/login', { form: { email: acme.agent.email, password: 'wrong-password' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'Wrong email or password.' });
    expect(res.headers.getSetCookie().some((c) => /auth-token=[^;]+/.test(c) && !/Max-Age=0/i.test(c))).toBe(false);
  });

  it('follows only same-site relative redirects after sign-in', async () => {
    const inside = await call(loginRoute.action, '/login', { form: { email: acme.agent.email, password: acme.agent.password, redirectTo: '/team?x=1' } });
    expect(inside.headers.get('Location')).toBe('/team?x=1');
    const outside = await call(loginRoute.action, '/login', {
      form: { email: acme.agent.email, password: acme.agent.password, redirectTo: '//evil.example/steal' },
    });
    expect(outside.status).toBe(302);
    expect(outside.headers.get('Location')).toBe('/inbox');
  });

  it('signs out: the session cookies are cleared and the old session no longer works', async () => {
    const cookie = await signIn(acme.agent);
    const res = await call(logoutRoute.action, '/logout', { cookie, form: {} });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/login');
    const after = cookiesFrom(res, cookie);
    expect(after).not.toMatch(/auth-token/);
    const again = await call(inboxRoute.loader, '/inbox', { cookie: after });
    expect(again.status).toBe(302);
    // The old cookies are dead too: the session is gone server-side, not just forgotten by the browser.
    const replay = await call(inboxRoute.loader, '/inbox', { cookie });
    expect(replay.status).toBe(302);
    expect(replay.headers.get('Location')).toBe('/login?redirectTo=%2Finbox');
  });
});

describe('admin-only pages and actions', () => {
  it('refuses an agent the widget settings with 403 forbidden', async () => {
    const res = await call(widgetSettingsRoute.loader, '/settings/widget', { cookie: acmeAgent });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'forbidden', message: 'Only an admin of this company can do this.' });
  });

  it('refuses an agent saving widget settings with 403, leaving the config unchanged', async () => {
    const res = await call(widgetSettingsRoute.action, '/settings/widget', { cookie: acmeAgent, form: { title: 'Hacked' } });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
    const [row] = await sql<{ title: string }>('select title from public.widget_configs where company_id = $1', [acme.companyId]);
    expect(row!.title).not.toBe('Hacked');
  });

  it('refuses an agent the team actions with 403 and creates no invitation or login', async () => {
    const res = await call(teamRoute.action, '/team', {
      cookie: acmeAgent,
      form: { intent: 'invite', email: 'sneaky@example.com', displayName: 'Sneaky', role: 'admin' },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
    expect(await sql('select 1 from auth.users where email = $1', ['sneaky@example.com'])).toHaveLength(0);
    expect(await sql('select 1 from public.company_invitations where email = $1', ['sneaky@example.com'])).toHaveLength(0);
  });

  it('refuses an agent the widget preview with 403', async () => {
    const res = await call(previewRoute.loader, '/settings/widget-preview', { cookie: acmeAgent });
    expect(res.status).toBe(403);
  });
});

describe('widget settings', () => {
  const valid = {
    enabled: 'on',
    title: 'Talk to Acme',
    greeting: 'Hello there',
    launcherLabel: 'Chat',
    primaryColor: '#FF0000',
    accentColor: '#00ff00',
    position: 'bottom-left',
    autoOpen: 'after',
    autoOpenAfterSeconds: '15',
    locale: 'en',
    prechatName: 'required',
    prechatEmail: 'optional',
    prechatPhone: 'off',
    allowedOrigins: ['http://127.0.0.1:3001', 'https://shop.example/'],
  };

  it('answers bad input with field errors named after the form fields, writing nothing', async () => {
    const res = await call(widgetSettingsRoute.action, '/settings/widget', {
      cookie: acmeAdmin,
      form: { ...valid, primaryColor: 'red', title: '', allowedOrigins: ['ftp://x.example', 'https://ok.example'] },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('validation_failed');
    expect(Object.keys(body.fieldErrors).sort()).toEqual(['allowedOrigins.0', 'primaryColor', 'title']);
    const [row] = await sql<{ primary_color: string }>('select primary_color from public.widget_configs where company_id = $1', [acme.companyId]);
    expect(row!.primary_color).not.toBe('red');
  });

  it('saves every field for an admin and shows them back in the loader', async () => {
    const res = await call(widgetSettingsRoute.action, '/settings/widget', { cookie: acmeAdmin, form: valid });
    expect(res.status).toBe(200);
    const loaded = await (await call(widgetSettingsRoute.loader, '/settings/widget', { cookie: acmeAdmin })).json();
    expect(loaded.values).toEqual({
      enabled: true,
      title: 'Talk to Acme',
      greeting: 'Hello there',
      launcherLabel: 'Chat',
      primaryColor: '#ff0000',
      accentColor: '#00ff00',
      position: 'bottom-left',
      autoOpen: 'after',
      autoOpenAfterSeconds: 15,
      locale: 'en',
      prechatName: 'required',
      prechatEmail: 'optional',
      prechatPhone: 'off',
      allowedOrigins: ['http://127.0.0.1:3001', 'https://shop.example'],
    });
    expect(loaded.embed).toContain(`data-widget-key="${acme.widgetKey}"`);
  });

  it('renders the preview page with the real widget script and the unsaved values', async () => {
    const config = { ...valid, enabled: true, autoOpenAfterSeconds: 15, allowedOrigins: [], primaryColor: '#123456' };
    const res = await call(previewRoute.loader, `/settings/widget-preview?config=${encodeURIComponent(JSON.stringify(config))}`, { cookie: acmeAdmin });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('src="http://127.0.0.1:3001/widget.js"');
    expect(html).toContain(`data-widget-key="${acme.widgetKey}"`);
    expect(html).toContain('"primaryColor":"#123456"');
  });
});

describe('team', () => {
  it('answers a bad invitation form with field errors and creates nothing', async () => {
    const res = await call(teamRoute.action, '/team', {
      cookie: acmeAdmin,
      form: { intent: 'invite', email: 'nope', displayName: '', role: 'owner' },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('validation_failed');
    expect(Object.keys(body.fieldErrors).sort()).toEqual(['displayName', 'email', 'role']);
  });

  it('invites an email (mailed link), the invitee accepts with a password and signs in; then role change and removal', async () => {
    const email = `new-agent-${randomUUID().slice(0, 8)}@example.com`;
    const added = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'invite', email, displayName: 'New Agent', role: 'agent' } });
    expect(added.status).toBe(201);
    expect(await sql('select 1 from public.company_members m join auth.users u on u.id = m.user_id where u.email = $1', [email])).toHaveLength(0);
    const again = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'invite', email, displayName: 'New Agent', role: 'agent' } });
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('already_invited');

    // The mailed link's token hash, on the dashboard's /auth/confirm (Auth sent this test host's links to site_url).
    const mails = await (await fetch(`${stack().mailUrl}/api/v1/messages?to=${encodeURIComponent(email)}`)).json();
    const mail = await (await fetch(`${stack().mailUrl}/api/v1/message/${mails.messages[0].ID}`)).json();
    const tokenHash = /token_hash=([0-9a-f]+)/.exec(mail.HTML)![1];
    // Opening the page (a mail scanner's prefetch, too) verifies nothing; its button does.
    const landing = await call(confirmRoute.loader, `/auth/confirm?next=%2Finvitations&token_hash=${tokenHash}&type=invite`);
    expect(landing.status).toBe(200);
    expect(await landing.json()).toEqual({ link: { token_hash: tokenHash, type: 'invite', next: '/invitations' } });
    const confirmed = await call(confirmRoute.action, '/auth/confirm', { form: { token_hash: tokenHash!, type: 'invite', next: '/invitations' } });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get('Location')).toBe('/invitations');
    const invitee = cookiesFrom(confirmed);
    const page = await (await call(invitationsRoute.loader, '/invitations', { cookie: invitee })).json();
    expect(page.needsPassword).toBe(true);
    expect(page.invitations).toEqual([expect.objectContaining({ company_name: 'Acme', display_name: 'New Agent' })]);
    const noPassword = await call(invitationsRoute.action, '/invitations', { cookie: invitee, form: { invitationId: page.invitations[0].id } });
    expect(noPassword.status).toBe(422);
    const accepted = await call(invitationsRoute.action, '/invitations', { cookie: invitee, form: { invitationId: page.invitations[0].id, password: 'password-123' } });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get('Location')).toBe('/inbox');
    const [member] = await sql<{ user_id: string; role: string; display_name: string }>(
      'select m.user_id, m.role, m.display_name from public.company_members m join auth.users u on u.id = m.user_id where u.email = $1 and m.company_id = $2',
      [email, acme.companyId],
    );
    expect(member).toMatchObject({ role: 'agent', display_name: 'New Agent' });
    await signIn({ email, password: 'password-123' });

    const promoted = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'role', userId: member!.user_id, role: 'admin' } });
    expect(promoted.status).toBe(200);
    expect((await sql<{ role: string }>('select role from public.company_members where user_id = $1', [member!.user_id]))[0]!.role).toBe('admin');

    const removed = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'remove', userId: member!.user_id } });
    expect(removed.status).toBe(200);
    expect(await sql('select 1 from public.company_members where user_id = $1', [member!.user_id])).toHaveLength(0);
  });

  it("cannot change or remove a member of another company (404, unchanged)", async () => {
    const res = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'remove', userId: globex.agent.id } });
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('member_not_found');
    expect(await sql('select 1 from public.company_members where user_id = $1', [globex.agent.id])).toHaveLength(1);
  });

  it('answers a demotion the database refuses (it would leave no admin) with 422 last_admin, nothing changed', async () => {
    const solo = await createCompany('Solo');
    await sql(`update public.company_members set role = 'admin' where company_id = $1 and user_id = $2`, [solo.companyId, solo.agent.id]);
    const soloAdmin = await signIn(solo.admin);
    // Another admin demotes this one at the same moment: held open, so the dashboard's update waits behind it.
    const other = await db('supabase_admin');
    await other.query('begin');
    await other.query(`update public.company_members set role = 'agent' where company_id = $1 and user_id = $2`, [solo.companyId, solo.admin.id]);
    const demote = call(teamRoute.action, '/team', { cookie: soloAdmin, form: { intent: 'role', userId: solo.agent.id, role: 'agent' } });
    // Polled from another connection: inside a transaction pg_stat_activity is a snapshot.
    while (!(await sql(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%company_members%'`)).length) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await other.query('commit');
    await other.end();
    const res = await demote;
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'last_admin', message: expect.stringContaining('at least one admin') });
    const roles = await sql<{ user_id: string; role: string }>('select user_id, role from public.company_members where company_id = $1', [solo.companyId]);
    expect(roles).toEqual(expect.arrayContaining([{ user_id: solo.agent.id, role: 'admin' }, { user_id: solo.admin.id, role: 'agent' }]));
  });

  it('sends a signed-in user without a company to /invitations when one waits for them, else answers 403 not_a_member', async () => {
    const login = await createLogin('no-company');
    const cookie = await signIn(login);
    const before = await call(inboxRoute.loader, '/inbox', { cookie });
    expect(before.status).toBe(403);
    expect((await before.json()).code).toBe('not_a_member');
    await sql(`insert into public.company_invitations (company_id, email, display_name, invited_by) values ($1, $2, 'Later', $3)`, [
      acme.companyId,
      login.email,
      acme.admin.id,
    ]);
    const after = await call(inboxRoute.loader, '/inbox', { cookie });
    expect(after.status).toBe(302);
    expect(after.headers.get('Location')).toBe('/invitations');
  });

  it('revokes a pending invitation of its own company only: another company’s admin gets 404 and it stays', async () => {
    const email = `revoked-${randomUUID().slice(0, 8)}@example.com`;
    expect((await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'invite', email, displayName: 'Rev', role: 'agent' } })).status).toBe(201);
    const [row] = await sql<{ id: string }>('select id from public.company_invitations where email = $1', [email]);
    const globexAdmin = await signIn(globex.admin);
    const foreign = await call(teamRoute.action, '/team', { cookie: globexAdmin, form: { intent: 'revoke', invitationId: row!.id } });
    expect(foreign.status).toBe(404);
    expect(await sql('select 1 from public.company_invitations where id = $1', [row!.id])).toHaveLength(1);
    const revoked = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'revoke', invitationId: row!.id } });
    expect(revoked.status).toBe(200);
    expect(await sql('select 1 from public.company_invitations where id = $1', [row!.id])).toHaveLength(0);
    expect((await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'revoke', invitationId: row!.id } })).status).toBe(404);
  });

  it('answers control characters in the invitation flow with 4xx and writes nothing', async () => {
    const email = `nul-${randomUUID().slice(0, 8)}@example.com`;
    const forms: Record<string, string>[] = [
      { intent: 'invite', email: `${email}\u0000`, displayName: 'Nul', role: 'agent' },
      { intent: 'invite', email, displayName: 'Nul\u0000', role: 'agent' },
      { intent: 'revoke', invitationId: `${randomUUID()}\u0000` },
    ];
    for (const form of forms) {
      const res = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form });
      expect(res.status).toBe(422);
    }
    expect(await sql('select 1 from public.company_invitations where email like $1', [`${email}%`])).toHaveLength(0);
    const link = await call(confirmRoute.loader, `/auth/confirm?token_hash=${'a'.repeat(56)}%00&type=invite&next=%2Finvitations`);
    expect(link.status).toBe(400);
    expect((await link.json()).code).toBe('invalid_link');
    const accept = await call(invitationsRoute.action, '/invitations', { cookie: acmeAgent, form: { invitationId: '\u0000' } });
    expect(accept.status).toBe(422);
  });

  it('refuses an admin removing themselves', async () => {
    const res = await call(teamRoute.action, '/team', { cookie: acmeAdmin, form: { intent: 'remove', userId: acme.admin.id } });
    expect(res.status).toBe(422);
    expect((await res.json()).fieldErrors).toEqual({ userId: 'You cannot remove yourself.' });
  });
});

describe('inbox and conversation', () => {
  it("lists the company's conversations with visitor name, preview and unread count", async () => {
    const res = await call(inboxRoute.loader, '/inbox?status=all', { cookie: acmeAgent });
    expect(res.status).toBe(200);
    const body = await res.json();
    const item = body.conversations.find((c: { id: string }) => c.id === acme.conversationId);
    expect(item).toMatchObject({ visitorName: 'Acme Visitor', preview: 'Hello from a Acme visitor', platform: 'widget', status: 'open' });
    expect(item.unread).toBeGreaterThan(0);
  });

  it('finds conversations by message text and by visitor name', async () => {
    const byText = await (await call(inboxRoute.loader, '/inbox?status=all&q=from%20a%20Acme', { cookie: acmeAgent })).json();
    expect(byText.conversations.map((c: { id: string }) => c.id)).toEqual([acme.conversationId]);
    const byName = await (await call(inboxRoute.loader, '/inbox?status=all&q=acme%20visitor', { cookie: acmeAgent })).json();
    expect(byName.conversations.map((c: { id: string }) => c.id)).toEqual([acme.conversationId]);
  });

  it('sends a reply idempotently: the same client id twice stores one message', async () => {
    const id = randomUUID();
    const params = { conversationId: acme.conversationId };
    const first = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'send', id, body: 'Hi, how can I help?' } });
    expect(first.status).toBe(201);
    const retry = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'send', id, body: 'Hi, how can I help?' } });
    expect(retry.status).toBe(200);
    const rows = await sql<{ sender_kind: string; author_id: string }>('select sender_kind, author_id from public.messages where id = $1', [id]);
    expect(rows).toEqual([{ sender_kind: 'agent', author_id: acme.agent.id }]);
  });

  it('answers an empty reply with a field error', async () => {
    const res = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, {
      cookie: acmeAgent,
      params: { conversationId: acme.conversationId },
      form: { intent: 'send', id: randomUUID(), body: '   ' },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).fieldErrors).toEqual({ body: 'Write a message first.' });
  });

  it('opening a conversation writes nothing; the read action, sent by a tab that shows it, clears the unread count', async () => {
    await sql(`insert into public.messages (conversation_id, company_id, sender_kind, body) values ($1, $2, 'visitor', 'Anyone there?')`, [
      acme.conversationId,
      acme.companyId,
    ]);
    const [before] = await sql<{ unread_count: number }>('select unread_count from public.conversations where id = $1', [acme.conversationId]);
    expect(before!.unread_count).toBe(1);
    const params = { conversationId: acme.conversationId };
    const res = await call(conversationRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.messages.map((m: { id: string }) => m.id)).toContain(acme.firstMessageId);
    expect(body.conversation.unread_count).toBe(1);
    const [stillUnread] = await sql<{ unread_count: number }>('select unread_count from public.conversations where id = $1', [acme.conversationId]);
    expect(stillUnread!.unread_count).toBe(1);

    const read = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'read' } });
    expect(read.status).toBe(200);
    const [row] = await sql<{ unread_count: number }>('select unread_count from public.conversations where id = $1', [acme.conversationId]);
    expect(row!.unread_count).toBe(0);
  });

  it("refuses to read another company's conversation: 404 and its unread count stays", async () => {
    await sql(`insert into public.messages (conversation_id, company_id, sender_kind, body) values ($1, $2, 'visitor', 'Globex question')`, [
      globex.conversationId,
      globex.companyId,
    ]);
    const params = { conversationId: globex.conversationId };
    const res = await call(conversationRoute.action, `/inbox/${globex.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'read' } });
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('conversation_not_found');
    const [row] = await sql<{ unread_count: number }>('select unread_count from public.conversations where id = $1', [globex.conversationId]);
    expect(row!.unread_count).toBeGreaterThan(0);
  });

  it('changes status and assignee, refusing an assignee from another company', async () => {
    const params = { conversationId: acme.conversationId };
    const path = `/inbox/${acme.conversationId}`;
    expect((await call(conversationRoute.action, path, { cookie: acmeAgent, params, form: { intent: 'status', status: 'pending' } })).status).toBe(200);
    expect((await call(conversationRoute.action, path, { cookie: acmeAgent, params, form: { intent: 'assign', assigneeId: acme.agent.id } })).status).toBe(200);
    const foreign = await call(conversationRoute.action, path, { cookie: acmeAgent, params, form: { intent: 'assign', assigneeId: globex.agent.id } });
    expect(foreign.status).toBe(422);
    expect((await foreign.json()).fieldErrors).toEqual({ assigneeId: 'Pick a member of this company.' });
    const bad = await call(conversationRoute.action, path, { cookie: acmeAgent, params, form: { intent: 'status', status: 'archived' } });
    expect(bad.status).toBe(422);
    const [row] = await sql<{ status: string; assignee_id: string }>('select status, assignee_id from public.conversations where id = $1', [acme.conversationId]);
    expect(row).toEqual({ status: 'pending', assignee_id: acme.agent.id });
    const mine = await (await call(inboxRoute.loader, '/inbox?status=pending&scope=mine', { cookie: acmeAgent })).json();
    expect(mine.conversations.map((c: { id: string }) => c.id)).toContain(acme.conversationId);
    const unassigned = await (await call(inboxRoute.loader, '/inbox?status=pending&scope=unassigned', { cookie: acmeAgent })).json();
    expect(unassigned.conversations.map((c: { id: string }) => c.id)).not.toContain(acme.conversationId);
  });
});

describe('an agent of another company sees nothing of Acme', () => {
  it("gets none of Acme's conversations in the inbox, even when searching", async () => {
    const all = await (await call(inboxRoute.loader, '/inbox?status=all', { cookie: globexAgent })).json();
    const ids = all.conversations.map((c: { id: string }) => c.id);
    expect(ids).toContain(globex.conversationId);
    expect(ids).not.toContain(acme.conversationId);
    const search = await (await call(inboxRoute.loader, '/inbox?status=all&q=Acme', { cookie: globexAgent })).json();
    expect(search.conversations).toEqual([]);
  });

  it("gets 404 for Acme's conversation and cannot post or change it", async () => {
    const params = { conversationId: acme.conversationId };
    const path = `/inbox/${acme.conversationId}`;
    const view = await call(conversationRoute.loader, path, { cookie: globexAgent, params });
    expect(view.status).toBe(404);
    expect((await view.json()).code).toBe('conversation_not_found');
    const id = randomUUID();
    const send = await call(conversationRoute.action, path, { cookie: globexAgent, params, form: { intent: 'send', id, body: 'Intruder' } });
    expect(send.status).toBe(404);
    expect(await sql('select 1 from public.messages where id = $1', [id])).toHaveLength(0);
    const status = await call(conversationRoute.action, path, { cookie: globexAgent, params, form: { intent: 'status', status: 'resolved' } });
    expect(status.status).toBe(404);
    const [row] = await sql<{ status: string }>('select status from public.conversations where id = $1', [acme.conversationId]);
    expect(row!.status).not.toBe('resolved');
  });

  it('cannot switch into Acme (403) and the shell shows only Globex', async () => {
    const res = await call(companyRoute.action, '/company', { cookie: globexAgent, form: { companyId: acme.companyId } });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('not_a_member');
    const shell = await (await call(dashboardRoute.loader, '/inbox', { cookie: globexAgent })).json();
    expect(shell.memberships.map((m: { companyName: string }) => m.companyName)).toEqual(['Globex']);
  });

  it('switches between companies it belongs to', async () => {
    await sql(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'agent', 'Both')`, [
      acme.companyId,
      globex.agent.id,
    ]);
    try {
      const res = await call(companyRoute.action, '/company', { cookie: globexAgent, form: { companyId: acme.companyId } });
      expect(res.status).toBe(302);
      const cookie = cookiesFrom(res, globexAgent);
      const inbox = await (await call(inboxRoute.loader, '/inbox?status=all', { cookie })).json();
      expect(inbox.conversations.map((c: { id: string }) => c.id)).toContain(acme.conversationId);
    } finally {
      await sql('delete from public.company_members where company_id = $1 and user_id = $2', [acme.companyId, globex.agent.id]);
    }
  });
});

describe('what a revalidation round and an older page cost', () => {
  /** Counts this process's calls to Supabase Auth's user endpoint (each is one verification of the agent). */
  async function authCalls(run: () => Promise<unknown>): Promise<number> {
    const realFetch = globalThis.fetch;
    let n = 0;
    globalThis.fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (new URL(url).pathname === '/auth/v1/user') n++;
      return realFetch(input, init);
    };
    try {
      await run();
    } finally {
      globalThis.fetch = realFetch;
    }
    return n;
  }

  it('the three loaders of one revalidation round (one load context, a Request each) verify the agent with Auth once', async () => {
    const params = { conversationId: acme.conversationId };
    const round = (context: Record<string, unknown>) =>
      Promise.all([
        call(dashboardRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, context }),
        call(inboxRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, context }),
        call(conversationRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, context }),
      ]);
    const shared = {};
    expect(await authCalls(() => round(shared))).toBe(1);
    // Two rounds are two HTTP requests, each with its own context: each verifies again.
    const twoRounds = async () => {
      await round({});
      await round({});
    };
    expect(await authCalls(twoRounds)).toBe(2);
  });

  it('a refusal shared by one round’s loaders reaches each as its own response (Remix reads every body)', async () => {
    const context = {};
    const params = { conversationId: acme.conversationId };
    const path = `/inbox/${acme.conversationId}`;
    const refused = await Promise.all([
      call(dashboardRoute.loader, path, { context }),
      call(inboxRoute.loader, path, { context }),
      call(conversationRoute.loader, path, { params, context }),
    ]);
    expect(refused.map((r) => r.status)).toEqual([302, 302, 302]);
    expect(new Set(refused).size).toBe(3);
    await Promise.all(refused.map((r) => r.text()));
  });

  it('GET /inbox/older pages through 2,000 conversations by cursor: each once, newest first, never cached', async () => {
    const company = await createCompany('Older');
    const cookie = await signIn(company.agent);
    await sql(
      `insert into public.conversations (company_id, visitor_id, last_message_at)
       select $1, $2, now() - make_interval(secs => n) from generate_series(1, 2000) n`,
      [company.companyId, company.visitorId],
    );
    const first = await (await call(inboxRoute.loader, '/inbox?status=all', { cookie })).json();
    const seen: { id: string; lastMessageAt: string }[] = [...first.conversations];
    let cursor: string | null = first.nextCursor;
    let pages = 1;
    while (cursor) {
      const res = await call(olderInboxRoute.loader, `/inbox/older?status=all&after=${encodeURIComponent(cursor)}`, { cookie });
      expect(res.status).toBe(200);
      expect(res.headers.get('Cache-Control')).toBe('private, no-store');
      const page = await res.json();
      seen.push(...page.conversations);
      cursor = page.nextCursor;
      pages++;
    }
    // The 2,000 seeded and the fixture's own conversation.
    expect(seen).toHaveLength(2001);
    expect(new Set(seen.map((c) => c.id)).size).toBe(2001);
    expect(pages).toBe(Math.ceil(2001 / 25));
    const times = seen.map((c) => Date.parse(c.lastMessageAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  }, 120_000);
});
