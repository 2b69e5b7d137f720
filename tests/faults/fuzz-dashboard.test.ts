// Control characters in every field of every dashboard loader and action (issue 14, finding 5): each answer is
// a 4xx (or, where a field is only a hint such as a redirect target, an ordinary answer), never a 5xx or a
// thrown error, and nothing is stored from them. The routes' own loaders and actions, called as Remix calls them,
// against the real stack.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as inboxRoute from '../../app/routes/_dashboard.inbox/route.tsx';
import * as conversationRoute from '../../app/routes/_dashboard.inbox.$conversationId/route.tsx';
import * as widgetSettingsRoute from '../../app/routes/_dashboard.settings.widget/route.tsx';
import * as teamRoute from '../../app/routes/_dashboard.team/route.tsx';
import * as confirmRoute from '../../app/routes/auth.confirm/route.tsx';
import * as companyRoute from '../../app/routes/company/route.tsx';
import * as invitationsRoute from '../../app/routes/invitations/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import * as previewRoute from '../../app/routes/settings.widget-preview/route.ts';
import { call, cookiesFrom, createCompany, type Fixture, sql, useTestStackEnv } from '../app/helpers.ts';
import { recordFaults } from './report.ts';

const BAD = { nul: '\u0000', soh: '\u0001', us: '\u001f', del: '\u007f', 'lone high surrogate': '\ud800', 'lone low surrogate': '\udfff' };

let co: Fixture;
let adminCookie: string;

beforeAll(async () => {
  useTestStackEnv();
  co = await createCompany('Fuzzdash');
  const res = await call(loginRoute.action, '/login', {
    form: { email: co.admin.email, password: co.admin.password, redirectTo: '/inbox' },
    context: { clientAddress: `fuzz-${randomUUID()}` },
  });
  expect(res.status).toBe(302);
  adminCookie = cookiesFrom(res);
}, 60_000);

/** What the company has stored that a dashboard write could change. */
async function snapshot() {
  const [counts] = await sql<Record<string, number>>(
    `select (select count(*)::int from public.messages where company_id = $1) as messages,
            (select count(*)::int from public.company_members where company_id = $1) as members,
            (select count(*)::int from public.company_invitations where company_id = $1) as invitations`,
    [co.companyId],
  );
  const [widget] = await sql('select to_jsonb(w) - $2 as row from public.widget_configs w where company_id = $1', [co.companyId, 'updated_at']);
  const [conversation] = await sql('select status::text, assignee_id, auto_bot from public.conversations where id = $1', [co.conversationId]);
  const [admin] = await sql('select role::text, display_name from public.company_members where company_id = $1 and user_id = $2', [co.companyId, co.admin.id]);
  return { counts, widget, conversation, admin };
}

describe('control characters in every field of every dashboard loader and action', () => {
  it('answers each without a 5xx or a thrown error, and stores nothing', async () => {
    const conversationPath = `/inbox/${co.conversationId}`;
    const params = { conversationId: co.conversationId };
    const settingsBase = {
      enabled: 'on',
      title: 'Chat',
      greeting: 'Hi',
      launcherLabel: 'Chat',
      primaryColor: '#2563eb',
      accentColor: '#f59e0b',
      position: 'bottom-right',
      autoOpen: 'off',
      autoOpenAfterSeconds: '',
      locale: 'en',
      prechatName: 'optional',
      prechatEmail: 'optional',
      prechatPhone: 'off',
      allowedOrigins: 'http://127.0.0.1:3001',
    };
    // `write`: must be refused with a 4xx {code, message}. Otherwise (a GET, or a field that is only a hint such as
    // where to go next) any answer but a 5xx: a search for text nobody can store finds nothing, a hint is dropped.
    type Case = { label: string; run(): Promise<Response>; write: boolean };
    const cases: Case[] = [];
    const post = (handler: unknown, path: string, form: Record<string, string>, extra: { params?: Record<string, string> } = {}) => () =>
      call(handler, path, { cookie: adminCookie, form, params: extra.params, context: { clientAddress: `fuzz-${randomUUID()}` } });
    const get = (handler: unknown, path: string) => () => call(handler, path, { cookie: adminCookie });
    const forms: [string, unknown, string, Record<string, string>, Record<string, string> | undefined][] = [
      ['login', loginRoute.action, '/login', { email: 'nobody@example.com', password: 'wrong-password', redirectTo: '/inbox' }, undefined],
      ['reply', conversationRoute.action, conversationPath, { intent: 'send', id: randomUUID(), body: 'hello' }, params],
      ['status', conversationRoute.action, conversationPath, { intent: 'status', status: 'pending' }, params],
      ['assign', conversationRoute.action, conversationPath, { intent: 'assign', assigneeId: co.agent.id }, params],
      ['bot', conversationRoute.action, conversationPath, { intent: 'bot', autoBot: 'true' }, params],
      ['settings', widgetSettingsRoute.action, '/settings/widget', settingsBase, undefined],
      ['invite', teamRoute.action, '/team', { intent: 'invite', email: 'new-agent@example.com', displayName: 'New Agent', role: 'agent' }, undefined],
      ['revoke', teamRoute.action, '/team', { intent: 'revoke', invitationId: randomUUID() }, undefined],
      ['role', teamRoute.action, '/team', { intent: 'role', userId: co.agent.id, role: 'admin' }, undefined],
      ['remove', teamRoute.action, '/team', { intent: 'remove', userId: co.agent.id }, undefined],
      ['switch company', companyRoute.action, '/company', { companyId: co.companyId }, undefined],
      ['accept invitation', invitationsRoute.action, '/invitations', { invitationId: randomUUID(), password: 'a-new-password' }, undefined],
      ['confirm link', confirmRoute.action, '/auth/confirm', { token_hash: 'a'.repeat(40), type: 'invite', next: '/invitations' }, undefined],
    ];
    // Fields that are only hints (where to go next): a control character there is dropped, not refused.
    const hints = new Set(['login redirectTo', 'confirm link next']);
    for (const [name, bad] of Object.entries(BAD)) {
      // A form cannot carry a lone surrogate: browsers (and URLSearchParams) send U+FFFD, ordinary text.
      for (const [label, handler, path, base, p] of /[\ud800-\udfff]/.test(bad) ? [] : forms) {
        for (const field of Object.keys(base)) {
          const form = { ...base, [field]: `a${bad}b${base[field]}` };
          cases.push({ label: `${label} ${field} ${name}`, run: post(handler, path, form, { params: p }), write: !hints.has(`${label} ${field}`) });
        }
      }
      // A lone surrogate cannot be percent-encoded as UTF-8: send the bytes a client could (CESU-8 style).
      const q = `a${/[\ud800-\udfff]/.test(bad) ? (bad === '\ud800' ? '%ED%A0%80' : '%ED%BF%BF') : encodeURIComponent(bad)}b`;
      cases.push({ label: `inbox q ${name}`, run: get(inboxRoute.loader, `/inbox?q=${q}`) , write: false });
      cases.push({ label: `inbox status ${name}`, run: get(inboxRoute.loader, `/inbox?status=${q}`) , write: false });
      cases.push({ label: `inbox after ${name}`, run: get(inboxRoute.loader, `/inbox?after=${q}`) , write: false });
      cases.push({ label: `conversation before ${name}`, run: () => call(conversationRoute.loader, `${conversationPath}?before=${q}`, { cookie: adminCookie, params }) , write: false });
      cases.push({ label: `conversation id ${name}`, run: () => call(conversationRoute.loader, `/inbox/${q}`, { cookie: adminCookie, params: { conversationId: `a${bad}b` } }) , write: false });
      cases.push({ label: `preview config ${name}`, run: get(previewRoute.loader, `/settings/widget-preview?config=${encodeURIComponent(JSON.stringify({ ...settingsBase, title: 'a' })).replace('%22a%22', `%22${q}%22`)}`) , write: false });
      cases.push({ label: `confirm token ${name}`, run: get(confirmRoute.loader, `/auth/confirm?token_hash=${q}&type=invite&next=/invitations`) , write: false });
      cases.push({ label: `login redirectTo ${name}`, run: get(loginRoute.loader, `/login?redirectTo=${q}`), write: false });
    }

    const before = await snapshot();
    const wrong: string[] = [];
    for (const c of cases) {
      let res: Response;
      try {
        res = await c.run();
      } catch (err) {
        wrong.push(`${c.label}: threw ${(err as Error).message.slice(0, 120)}`);
        continue;
      }
      const text = await res.text();
      const isJson = (res.headers.get('Content-Type') ?? '').includes('json');
      const body = isJson ? (JSON.parse(text) as { code?: unknown; message?: unknown }) : {};
      const refused = res.status >= 400 && res.status < 500 && typeof body.code === 'string' && typeof body.message === 'string';
      const acceptable = c.write ? refused : res.status < 500;
      if (res.status >= 500 || !acceptable) wrong.push(`${c.label}: ${res.status} ${text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
    recordFaults('fuzz-dashboard-control-characters', { inputsTried: cases.length });
  }, 300_000);
});
