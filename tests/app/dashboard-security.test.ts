// Attacks on the dashboard's own doors (issue 14): open redirect after sign-in, cross-origin writes (CSRF),
// framing, control characters, bodies and cursors that used to give 500s, and password guessing. Over HTTP
// against the real server (app/server.ts, built) where the server itself is the defence, and through the
// loaders and actions where Remix is.
import { randomUUID } from 'node:crypto';
import { decode } from 'turbo-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as inboxRoute from '../../app/routes/_dashboard.inbox/route.tsx';
import * as conversationRoute from '../../app/routes/_dashboard.inbox.$conversationId/route.tsx';
import * as widgetSettingsRoute from '../../app/routes/_dashboard.settings.widget/route.tsx';
import * as companyRoute from '../../app/routes/company/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import { type RunningDashboard, startDashboard } from '../../app/server.ts';
import { freePort } from '../support/global-setup.ts';
import { stack } from '../support/stack.ts';
import { call, cookiesFrom, createCompany, createLogin, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let globex: Fixture;
let acmeAdmin: string;
let acmeAgent: string;
let dashboard: RunningDashboard;
/** A second server, as deployed behind a proxy: a configured public origin and one trusted proxy hop. */
let proxied: RunningDashboard;
const PUBLIC_ORIGIN = 'https://chat.example.test';
/** The host the proxy forwards (X-Forwarded-Host): Remix, too, refuses an action whose Origin is not the host's. */
const PUBLIC_HOST = 'chat.example.test';
/** Another origin of the same site (127.0.0.1): the session cookie is SameSite=Lax, so it is sent from here. */
const SAME_SITE_ATTACKER = 'http://127.0.0.1:1';

async function signIn(user: { email: string; password: string }, context: Record<string, unknown> = { clientAddress: `sign-in-${randomUUID()}` }) {
  const res = await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' }, context });
  expect(res.status).toBe(302);
  return cookiesFrom(res);
}

/** Remix answers a single-fetch action that redirects with this status and the target in the body. */
const SINGLE_FETCH_REDIRECT = 202;

/**
 * The body of a single-fetch `.data` answer (turbo-stream, as the dashboard's browser code reads it): the action's
 * data, a thrown response's data, or the redirect. A refusal our server makes before Remix is plain JSON.
 */
async function dataBody(res: Response): Promise<Record<string, unknown>> {
  if ((res.headers.get('Content-Type') ?? '').includes('application/json')) return res.json();
  const decoded = await decode(res.body!, {
    plugins: [
      (type: string, ...rest: unknown[]) =>
        type === 'ErrorResponse' ? { value: { data: rest[0], status: rest[1] } } : type === 'SingleFetchRedirect' ? { value: rest[0] } : undefined,
    ],
  });
  await decoded.done;
  const result = decoded.value as { data?: Record<string, unknown>; error?: { data: Record<string, unknown> } };
  if ('data' in result) return result.data!;
  if ('error' in result) return result.error!.data;
  return result as Record<string, unknown>;
}

function post(
  base: RunningDashboard | string,
  path: string,
  opts: { cookie?: string; origin?: string | null; referer?: string; body?: string | URLSearchParams; type?: string; headers?: Record<string, string> } = {},
) {
  const url = typeof base === 'string' ? base : base.url;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.Cookie = opts.cookie;
  if (opts.origin !== null) headers.Origin = opts.origin ?? url;
  if (opts.referer) headers.Referer = opts.referer;
  const body = opts.body ?? '';
  headers['Content-Type'] = opts.type ?? 'application/x-www-form-urlencoded';
  return fetch(url + path, { method: 'POST', headers, body, redirect: 'manual' });
}

beforeAll(async () => {
  useTestStackEnv();
  [acme, globex] = await Promise.all([createCompany('Acme'), createCompany('Globex')]);
  [acmeAdmin, acmeAgent] = await Promise.all([signIn(acme.admin), signIn(acme.agent)]);
  const s = stack();
  const common = { supabaseUrl: s.apiUrl, anonKey: s.anonKey, serviceRoleKey: s.serviceRoleKey, widgetScriptUrl: 'http://127.0.0.1:3001/widget.js' };
  // The first start runs `remix build` when build/ is older than app/: give the hook the time a build takes.
  dashboard = await startDashboard({ port: await freePort(), ...common });
  proxied = await startDashboard({ port: await freePort(), ...common, rebuild: false, origin: PUBLIC_ORIGIN, trustProxy: 1 });
}, 300_000);

afterAll(async () => {
  await dashboard?.stop();
  await proxied?.stop();
});

describe('sign-in redirect (open redirect)', () => {
  it('a sign-in posted with redirectTo=/.//evil.example lands on the inbox, not on //evil.example', async () => {
    const res = await post(dashboard, '/login?redirectTo=%2F.%2F%2Fevil.example', {
      body: new URLSearchParams({ email: acme.agent.email, password: acme.agent.password, redirectTo: '/.//evil.example' }),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/inbox');
  });

  it('a signed-in visit to /login?redirectTo=/.//evil.example goes to the inbox', async () => {
    const res = await fetch(`${dashboard.url}/login?redirectTo=%2F.%2F%2Fevil.example`, { headers: { Cookie: acmeAgent }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/inbox');
  });
});

describe('cross-origin writes (CSRF) are refused by the server before Remix', () => {
  it('cross-origin POSTs to /team.data with the admin’s cookie are refused: no login, member, invitation or role change', async () => {
    const email = `csrf-${randomUUID().slice(0, 8)}@example.com`;
    const forms: Record<string, string>[] = [
      // The attack as reported (a login created with the attacker's password), today's invitation form, a promotion.
      { intent: 'add', email, displayName: 'CSRF Admin', password: 'attacker-password', role: 'admin' },
      { intent: 'invite', email, displayName: 'CSRF Admin', role: 'admin' },
      { intent: 'role', userId: acme.agent.id, role: 'admin' },
    ];
    for (const form of forms) {
      const res = await post(dashboard, '/team.data', {
        cookie: acmeAdmin,
        origin: SAME_SITE_ATTACKER,
        body: new URLSearchParams(form),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ code: 'cross_origin_request', message: expect.any(String) });
    }
    expect(await sql('select 1 from auth.users where email = $1', [email])).toHaveLength(0);
    expect(await sql(`select 1 from public.company_members where display_name = 'CSRF Admin'`)).toHaveLength(0);
    expect(await sql('select 1 from public.company_invitations where email = $1', [email])).toHaveLength(0);
    const [agent] = await sql<{ role: string }>('select role from public.company_members where company_id = $1 and user_id = $2', [acme.companyId, acme.agent.id]);
    expect(agent!.role).toBe('agent');
  });

  it('a cross-origin document POST (Referer only, no Origin) cannot change the widget’s allowed origins', async () => {
    const [before] = await sql<{ allowed_origins: string[] }>('select allowed_origins from public.widget_configs where company_id = $1', [acme.companyId]);
    const res = await post(dashboard, '/settings/widget', {
      cookie: acmeAdmin,
      origin: null,
      referer: `${SAME_SITE_ATTACKER}/attack.html`,
      body: new URLSearchParams({ ...widgetForm, allowedOrigins: 'https://attacker.example' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('cross_origin_request');
    const [after] = await sql<{ allowed_origins: string[] }>('select allowed_origins from public.widget_configs where company_id = $1', [acme.companyId]);
    expect(after!.allowed_origins).toEqual(before!.allowed_origins);
  });

  it.each([
    ['neither Origin nor Referer', {}],
    ['Origin: null (a sandboxed frame)', { Origin: 'null' }],
    ['a lookalike origin', { Origin: 'http://127.0.0.1.evil.example' }],
  ])('refuses a write with %s', async (_what, headers) => {
    const res = await post(dashboard, '/settings/widget.data', {
      cookie: acmeAdmin,
      origin: null,
      headers,
      body: new URLSearchParams({ ...widgetForm, title: 'Not from us' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('cross_origin_request');
    expect(await sql(`select 1 from public.widget_configs where title = 'Not from us'`)).toHaveLength(0);
  });

  it('a same-origin data POST still saves the widget settings', async () => {
    const title = `Saved ${randomUUID().slice(0, 6)}`;
    const res = await post(dashboard, '/settings/widget.data', {
      cookie: acmeAdmin,
      body: new URLSearchParams({ ...widgetForm, title }),
    });
    expect(res.status).toBe(200);
    const [row] = await sql<{ title: string }>('select title from public.widget_configs where company_id = $1', [acme.companyId]);
    expect(row!.title).toBe(title);
  });

  it('behind a proxy the configured public origin is the only one accepted', async () => {
    const title = `Proxied ${randomUUID().slice(0, 6)}`;
    const direct = await post(proxied, '/settings/widget.data', {
      cookie: acmeAdmin,
      body: new URLSearchParams({ ...widgetForm, title }),
    });
    expect(direct.status).toBe(403);
    const viaProxy = await post(proxied, '/settings/widget.data', {
      cookie: acmeAdmin,
      origin: PUBLIC_ORIGIN,
      headers: { 'X-Forwarded-Host': PUBLIC_HOST },
      body: new URLSearchParams({ ...widgetForm, title }),
    });
    expect(viaProxy.status).toBe(200);
    const [row] = await sql<{ title: string }>('select title from public.widget_configs where company_id = $1', [acme.companyId]);
    expect(row!.title).toBe(title);
  });
});

describe('framing', () => {
  it.each([
    ['the login page', '/login', ''],
    ['the inbox', '/inbox', 'agent'],
    ['the widget preview', '/settings/widget-preview', 'admin'],
    ['a static file', '/favicon.ico', ''],
    ['an unknown page', '/no-such-page', ''],
  ])('%s may be framed by the dashboard only', async (_what, path, who) => {
    const cookie = who === 'admin' ? acmeAdmin : who === 'agent' ? acmeAgent : '';
    const res = await fetch(dashboard.url + path, { headers: cookie ? { Cookie: cookie } : {}, redirect: 'manual' });
    expect(res.headers.get('Content-Security-Policy')).toBe("frame-ancestors 'self'");
    expect(res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
  });

  it('a refused cross-origin write carries the headers too', async () => {
    const res = await post(dashboard, '/login', { origin: SAME_SITE_ATTACKER });
    expect(res.status).toBe(403);
    expect(res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
  });
});

const widgetForm = {
  enabled: 'on',
  title: 'Talk to Acme',
  greeting: 'Hello there',
  launcherLabel: 'Chat',
  primaryColor: '#2563eb',
  accentColor: '#f59e0b',
  position: 'bottom-right',
  autoOpen: 'off',
  locale: 'en',
  prechatName: 'required',
  prechatEmail: 'optional',
  prechatPhone: 'off',
  allowedOrigins: 'http://127.0.0.1:3001',
};

describe('control characters get 422 with a field error, never a 500', () => {
  it('a reply containing NUL is refused and nothing is stored (over HTTP too)', async () => {
    const id = randomUUID();
    const params = { conversationId: acme.conversationId };
    const res = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'send', id, body: 'hi\u0000there' } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('validation_failed');
    expect(Object.keys(body.fieldErrors)).toEqual(['body']);
    const http = await post(dashboard, `/inbox/${acme.conversationId}.data`, {
      cookie: acmeAgent,
      body: new URLSearchParams({ intent: 'send', id, body: 'hi\u0000there' }),
    });
    expect(http.status).toBe(422);
    expect((await dataBody(http)).code).toBe('validation_failed');
    expect(await sql('select 1 from public.messages where id = $1', [id])).toHaveLength(0);
  });

  it('a sign-in with NUL in the email, the password or the redirect gets 422 with a field error before Auth is asked', async () => {
    const context = { clientAddress: `nul-${randomUUID()}` };
    const email = await call(loginRoute.action, '/login', { form: { email: `${acme.agent.email}\u0000`, password: acme.agent.password }, context });
    expect(email.status).toBe(422);
    expect(Object.keys((await email.json()).fieldErrors)).toEqual(['email']);
    const password = await call(loginRoute.action, '/login', { form: { email: acme.agent.email, password: `${acme.agent.password}\u0000` }, context });
    expect(password.status).toBe(422);
    expect(Object.keys((await password.json()).fieldErrors)).toEqual(['password']);
    const redirect = await call(loginRoute.action, '/login', {
      form: { email: acme.agent.email, password: acme.agent.password, redirectTo: '/inbox\u0000//evil.example' },
      context,
    });
    expect(redirect.status).toBe(422);
    expect(redirect.headers.get('Location')).toBeNull();
  });

  it('widget settings with NUL in texts and an origin are refused field by field, the config unchanged', async () => {
    const [before] = await sql('select * from public.widget_configs where company_id = $1', [acme.companyId]);
    const res = await call(widgetSettingsRoute.action, '/settings/widget', {
      cookie: acmeAdmin,
      form: {
        ...widgetForm,
        title: 'Acme\u0000',
        greeting: 'Hi\u0000',
        launcherLabel: 'Chat\u0007',
        allowedOrigins: ['https://ok.example', 'https://shop.example\u0000'],
      },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('validation_failed');
    expect(Object.keys(body.fieldErrors).sort()).toEqual(['allowedOrigins.1', 'greeting', 'launcherLabel', 'title']);
    const [after] = await sql('select * from public.widget_configs where company_id = $1', [acme.companyId]);
    expect(after).toEqual(before);
  });

});

describe('inputs that used to give 500s', () => {
  it('a reply reusing a message id from another conversation gets 409 message_id_conflict, the original untouched', async () => {
    const otherConversation = randomUUID();
    await sql('insert into public.conversations (id, company_id, visitor_id) values ($1, $2, $3)', [otherConversation, acme.companyId, acme.visitorId]);
    const params = { conversationId: otherConversation };
    // An id from the same company (visible) and one from Globex (hidden by RLS): both are taken.
    for (const taken of [acme.firstMessageId, globex.firstMessageId]) {
      const res = await call(conversationRoute.action, `/inbox/${otherConversation}`, { cookie: acmeAgent, params, form: { intent: 'send', id: taken, body: 'Reusing an id' } });
      expect(res.status).toBe(409);
      expect((await res.json()).code).toBe('message_id_conflict');
    }
    const rows = await sql<{ id: string; conversation_id: string; body: string }>('select id, conversation_id, body from public.messages where id = any($1)', [
      [acme.firstMessageId, globex.firstMessageId],
    ]);
    expect(rows.map((r) => r.conversation_id).sort()).toEqual([acme.conversationId, globex.conversationId].sort());
    expect(rows.every((r) => r.body !== 'Reusing an id')).toBe(true);
    expect(await sql('select 1 from public.messages where conversation_id = $1', [otherConversation])).toHaveLength(0);
  });

  it('a real cursor still pages on: page two follows page one without overlap', async () => {
    const company = await createCompany('Paging');
    const cookie = await signIn(company.agent);
    const ids = Array.from({ length: 30 }, () => randomUUID());
    await sql(
      `insert into public.conversations (id, company_id, visitor_id, last_message_at)
       select id, $2, $3, now() - make_interval(secs => n) from unnest($1::uuid[]) with ordinality as t(id, n)`,
      [ids, company.companyId, company.visitorId],
    );
    const first = await (await call(inboxRoute.loader, '/inbox?status=all', { cookie })).json();
    expect(first.conversations).toHaveLength(25);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await (await call(inboxRoute.loader, `/inbox?status=all&after=${encodeURIComponent(first.nextCursor)}`, { cookie })).json();
    const seen = [...first.conversations, ...second.conversations].map((c: { id: string }) => c.id);
    expect(second.conversations).toHaveLength(6);
    expect(new Set(seen).size).toBe(31);
  });

  it.each([
    ['x|y', 'x|y'],
    ['a date without a uuid', '2026-01-01|not-a-uuid'],
    ['|', '|'],
    ['a number as the time (Date.parse takes it, Postgres does not)', `1|${randomUUID()}`],
    ['February 30', `2026-02-30T00:00:00Z|${randomUUID()}`],
    ['36 dashes as the id', `2026-01-01T00:00:00Z|${'-'.repeat(36)}`],
    ['a PostgREST filter injection', `2026-01-01T00:00:00Z),id.gt.0|${randomUUID()}`],
    ['190 digits', '9'.repeat(190)],
    ['5,000 characters', `${'x'.repeat(5000)}|${randomUUID()}`],
  ])('a malformed inbox cursor (%s) is ignored: the first page, not a 500', async (_what, after) => {
    const first = await (await call(inboxRoute.loader, '/inbox?status=all', { cookie: acmeAgent })).json();
    const res = await call(inboxRoute.loader, `/inbox?status=all&after=${encodeURIComponent(after)}`, { cookie: acmeAgent });
    expect(res.status).toBe(200);
    expect((await res.json()).conversations).toEqual(first.conversations);
  });

  it.each([
    ['/login', loginRoute.action, ''],
    ['/settings/widget', widgetSettingsRoute.action, 'admin'],
    ['/company', companyRoute.action, 'agent'],
    ['/inbox/:id', conversationRoute.action, 'agent'],
  ])('a JSON body POSTed to %s gets 415 unsupported_media_type', async (path, action, who) => {
    const res = await call(action, path.replace(':id', acme.conversationId), {
      cookie: who === 'admin' ? acmeAdmin : who === 'agent' ? acmeAgent : undefined,
      params: { conversationId: acme.conversationId },
      raw: { body: JSON.stringify({ email: acme.agent.email, password: acme.agent.password, intent: 'send', id: randomUUID(), body: 'x' }), type: 'application/json' },
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ code: 'unsupported_media_type', message: expect.any(String) });
  });

  it('a JSON body POSTed to /login over HTTP gets 415, as a document and as a data request', async () => {
    const json = JSON.stringify({ email: acme.agent.email, password: acme.agent.password });
    const data = await post(dashboard, '/login.data', { body: json, type: 'application/json' });
    expect(data.status).toBe(415);
    expect((await dataBody(data)).code).toBe('unsupported_media_type');
    const doc = await post(dashboard, '/login', { body: json, type: 'application/json' });
    expect(doc.status).toBe(415);
  });
});

describe('sign-in throttle', () => {
  const wrong = (email: string, clientAddress: string) =>
    call(loginRoute.action, '/login', { form: { email, password: 'wrong-password' }, context: { clientAddress } });

  it('after 10 wrong passwords for one email the 11th attempt, even with the right password, gets 429; other emails are unaffected', async () => {
    const victim = await createLogin('throttled');
    const bystander = await createLogin('bystander');
    for (let i = 0; i < 10; i++) {
      // Each from its own address: the email's own limit is what stops it.
      expect((await wrong(victim.email, `203.0.113.${i}`)).status).toBe(400);
    }
    const refused = await call(loginRoute.action, '/login', { form: { email: victim.email, password: victim.password }, context: { clientAddress: '203.0.113.99' } });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ code: 'too_many_attempts', message: expect.stringMatching(/^Too many failed sign-in attempts\. Try again in \d+ minutes?\.$/) });
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(refused.headers.getSetCookie()).toEqual([]);
    // The same email in another case is the same account.
    expect((await call(loginRoute.action, '/login', { form: { email: victim.email.toUpperCase(), password: victim.password }, context: { clientAddress: '203.0.113.98' } })).status).toBe(429);
    // Another email from the very address of the last attempt signs in.
    await signIn(bystander, { clientAddress: '203.0.113.99' });
  });

  it('successful sign-ins do not count: one account signs in 12 times in a row', async () => {
    const user = await createLogin('regular');
    for (let i = 0; i < 12; i++) await signIn(user, { clientAddress: '203.0.113.200' });
  });

  it('over HTTP, 30 failures from one client address (X-Forwarded-For behind the trusted proxy) lock that address only', async () => {
    const attempt = (address: string, email: string, password = 'wrong-password') =>
      post(proxied, '/login.data', {
        origin: PUBLIC_ORIGIN,
        headers: { 'X-Forwarded-For': `192.0.2.77, ${address}`, 'X-Forwarded-Host': PUBLIC_HOST },
        body: new URLSearchParams({ email, password }),
      });
    const user = await createLogin('address-locked');
    for (let i = 0; i < 30; i++) expect((await attempt('198.51.100.7', `guess-${i}-${randomUUID().slice(0, 6)}@example.com`)).status).toBe(400);
    const refused = await attempt('198.51.100.7', user.email, user.password);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect((await dataBody(refused)).code).toBe('too_many_attempts');
    // The leftmost (client-written) hop is not believed; the proxy's own hop is the address: signed in, sent on.
    const signedIn = await attempt('198.51.100.8', user.email, user.password);
    expect(signedIn.status).toBe(SINGLE_FETCH_REDIRECT);
    expect((await dataBody(signedIn)).redirect).toBe('/inbox');
  });

  it('without a trusted proxy, X-Forwarded-For is ignored: the socket address is counted', async () => {
    const before = await sql<{ n: number }>(`select count(*)::int as n from private.dashboard_sign_in_attempts where bucket = 'address:127.0.0.1'`);
    const res = await post(dashboard, '/login.data', {
      headers: { 'X-Forwarded-For': '198.51.100.50' },
      body: new URLSearchParams({ email: `spoof-${randomUUID().slice(0, 6)}@example.com`, password: 'wrong-password' }),
    });
    expect(res.status).toBe(400);
    const after = await sql<{ n: number }>(`select count(*)::int as n from private.dashboard_sign_in_attempts where bucket = 'address:127.0.0.1'`);
    expect(after[0]!.n).toBe(before[0]!.n + 1);
    expect(await sql(`select 1 from private.dashboard_sign_in_attempts where bucket = 'address:198.51.100.50'`)).toHaveLength(0);
  });
});
