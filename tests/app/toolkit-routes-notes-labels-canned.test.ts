// The agent toolkit's loaders and actions against the real stack: private notes from the composer's action,
// labels (admin settings, on a conversation, the inbox's label filter) and canned responses (admin settings, the
// conversation loader's list), with guards, field errors and the right 4xx. Plus the pure rules they share.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { fillVariables, matchCanned, slashQuery } from '../../app/lib/canned-variables.ts';
import { chipTextColor, contrastRatio } from '../../app/lib/label-colors.ts';
import * as inboxRoute from '../../app/routes/_dashboard.inbox/route.tsx';
import * as conversationRoute from '../../app/routes/_dashboard.inbox.$conversationId/route.tsx';
import * as cannedRoute from '../../app/routes/_dashboard.settings.canned/route.tsx';
import * as labelsRoute from '../../app/routes/_dashboard.settings.labels/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import { call, companyWithTeam, cookiesFrom, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let globex: Fixture;
let acmeAdmin: string;
let acmeAgent: string;
let globexAgent: string;

async function signIn(user: { email: string; password: string }): Promise<string> {
  const res = await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' } });
  expect(res.status).toBe(302);
  return cookiesFrom(res);
}

beforeAll(async () => {
  useTestStackEnv();
  [acme, globex] = await Promise.all([companyWithTeam('Acme'), companyWithTeam('Globex')]);
  [acmeAdmin, acmeAgent, globexAgent] = await Promise.all([signIn(acme.admin), signIn(acme.agent), signIn(globex.agent)]);
});

describe('private notes through the conversation action', () => {
  it('stores a note as private and shows it to the agents marked as one; a reply stays public', async () => {
    const params = { conversationId: acme.conversationId };
    const note = randomUUID();
    const res = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'send', id: note, body: 'VIP, be kind', isPrivate: 'true' } });
    expect(res.status).toBe(201);
    const reply = randomUUID();
    await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'send', id: reply, body: 'Hello!' } });
    const rows = await sql<{ id: string; is_private: boolean }>('select id, is_private from public.messages where id = any($1) order by created_at', [[note, reply]]);
    expect(rows).toEqual([
      { id: note, is_private: true },
      { id: reply, is_private: false },
    ]);
    const page = await (await call(conversationRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params })).json();
    const shown = page.messages.filter((m: { id: string }) => m.id === note || m.id === reply);
    expect(shown.map((m: { isPrivate?: boolean }) => m.isPrivate ?? false)).toEqual([true, false]);
  });

  it('refuses a bad isPrivate value with a field error', async () => {
    const res = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, {
      cookie: acmeAgent,
      params: { conversationId: acme.conversationId },
      form: { intent: 'send', id: randomUUID(), body: 'x', isPrivate: 'maybe' },
    });
    expect(res.status).toBe(422);
    expect(Object.keys((await res.json()).fieldErrors)).toEqual(['isPrivate']);
  });
});

describe('labels', () => {
  let billing: string;

  it('admins create labels; agents may not; bad and duplicate input get field errors', async () => {
    const created = await call(labelsRoute.action, '/settings/labels', { cookie: acmeAdmin, form: { intent: 'create', name: 'Billing', color: '#1D4ED8' } });
    expect(created.status).toBe(201);
    const [row] = await sql<{ id: string; color: string }>('select id, color from public.labels where company_id = $1 and name = $2', [acme.companyId, 'Billing']);
    expect(row!.color).toBe('#1d4ed8');
    billing = row!.id;
    expect((await call(labelsRoute.action, '/settings/labels', { cookie: acmeAgent, form: { intent: 'create', name: 'Nope', color: '#000000' } })).status).toBe(403);
    const bad = await call(labelsRoute.action, '/settings/labels', { cookie: acmeAdmin, form: { intent: 'create', name: '', color: 'red' } });
    expect(bad.status).toBe(422);
    expect(Object.keys((await bad.json()).fieldErrors).sort()).toEqual(['color', 'name']);
    const dup = await call(labelsRoute.action, '/settings/labels', { cookie: acmeAdmin, form: { intent: 'create', name: 'billing', color: '#000000' } });
    expect([dup.status, (await dup.json()).code]).toEqual([409, 'label_exists']);
    const foreign = await call(labelsRoute.action, '/settings/labels', { cookie: acmeAdmin, form: { intent: 'delete', id: randomUUID() } });
    expect(foreign.status).toBe(404);
  });

  it("agents label a conversation; the inbox filters by it; another company's agent cannot", async () => {
    const params = { conversationId: acme.conversationId };
    const [{ id: globexLabel }] = (await sql<{ id: string }>(`insert into public.labels (company_id, name, color) values ($1, 'Globex only', '#0f766e') returning id`, [globex.companyId])) as [{ id: string }];
    const add = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'label-add', labelId: billing } });
    expect(add.status).toBe(200);
    const again = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'label-add', labelId: billing } });
    expect(again.status).toBe(200);
    const filtered = await (await call(inboxRoute.loader, `/inbox?status=all&label=${billing}`, { cookie: acmeAgent })).json();
    expect(filtered.conversations.map((c: { id: string; labelIds: string[] }) => [c.id, c.labelIds])).toEqual([[acme.conversationId, [billing]]]);
    const other = await call(conversationRoute.action, `/inbox/${globex.conversationId}`, {
      cookie: acmeAgent,
      params: { conversationId: globex.conversationId },
      form: { intent: 'label-add', labelId: billing },
    });
    // Another company's conversation is not there for this agent, whatever label is picked.
    expect([other.status, (await other.json()).code]).toEqual([404, 'conversation_not_found']);
    const stranger = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: globexAgent, params, form: { intent: 'label-add', labelId: billing } });
    expect([stranger.status, (await stranger.json()).code]).toEqual([404, 'conversation_not_found']);
    // This company's conversation with another company's label: the label is what is wrong.
    const foreignLabel = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'label-add', labelId: globexLabel } });
    expect([foreignLabel.status, (await foreignLabel.json()).code]).toEqual([422, 'validation_failed']);
    const unknownLabel = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'label-add', labelId: randomUUID() } });
    expect([unknownLabel.status, (await unknownLabel.json()).code]).toEqual([422, 'validation_failed']);
    const removed = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'label-remove', labelId: billing } });
    expect(removed.status).toBe(200);
    const empty = await (await call(inboxRoute.loader, `/inbox?status=all&label=${billing}`, { cookie: acmeAgent })).json();
    expect(empty.conversations).toEqual([]);
    const bad = await call(conversationRoute.action, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params, form: { intent: 'label-add', labelId: 'x' } });
    expect(bad.status).toBe(422);
  });
});

describe('canned responses', () => {
  it('admins save them; the conversation loader lists them for agents; agents may not write them', async () => {
    const created = await call(cannedRoute.action, '/settings/canned', {
      cookie: acmeAdmin,
      form: { intent: 'create', shortcut: 'Refund', title: 'Refund policy', body: 'Hi {{visitor.name}}, {{agent.name}} here.' },
    });
    expect(created.status).toBe(201);
    const dup = await call(cannedRoute.action, '/settings/canned', { cookie: acmeAdmin, form: { intent: 'create', shortcut: 'refund', title: 'Again', body: 'x' } });
    expect([dup.status, (await dup.json()).code]).toEqual([409, 'shortcut_taken']);
    const bad = await call(cannedRoute.action, '/settings/canned', { cookie: acmeAdmin, form: { intent: 'create', shortcut: 'has space', title: '', body: '' } });
    expect(bad.status).toBe(422);
    expect(Object.keys((await bad.json()).fieldErrors).sort()).toEqual(['body', 'shortcut', 'title']);
    expect((await call(cannedRoute.action, '/settings/canned', { cookie: acmeAgent, form: { intent: 'create', shortcut: 'x', title: 'X', body: 'X' } })).status).toBe(403);
    expect((await call(cannedRoute.loader, '/settings/canned', { cookie: acmeAgent })).status).toBe(403);
    const page = await (await call(conversationRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params: { conversationId: acme.conversationId } })).json();
    expect(page.canned.map((c: { shortcut: string }) => c.shortcut)).toEqual(['refund']);
    const globexPage = await (await call(conversationRoute.loader, `/inbox/${globex.conversationId}`, { cookie: globexAgent, params: { conversationId: globex.conversationId } })).json();
    expect(globexPage.canned).toEqual([]);
  });
});

describe('the rules the composer and chips share', () => {
  it('fills every variable, with "there", "the team" or empty for missing values, and leaves unknown ones', () => {
    const body = 'Hi {{visitor.name}} ({{ visitor.email }}), {{agent.name}} of {{company.name}}. {{visitor.phone}}';
    expect(fillVariables(body, { visitorName: 'Vera', visitorEmail: 'v@example.com', agentName: 'Sam', companyName: 'Acme' })).toBe(
      'Hi Vera (v@example.com), Sam of Acme. {{visitor.phone}}',
    );
    expect(fillVariables(body, { visitorName: null, visitorEmail: null, agentName: ' ', companyName: null })).toBe('Hi there (), the team of . {{visitor.phone}}');
  });

  it('opens the picker only for a whole-draft slash command, shortcut prefixes first', () => {
    expect([slashQuery('/'), slashQuery('/Re'), slashQuery('a /re'), slashQuery('/re fund')]).toEqual(['', 're', null, null]);
    const list = [
      { id: '1', shortcut: 'thanks', title: 'Refund thanks', body: '' },
      { id: '2', shortcut: 'refund', title: 'Refund policy', body: '' },
      { id: '3', shortcut: 'hours', title: 'Opening hours', body: '' },
    ];
    expect(matchCanned(list, 'ref').map((c) => c.id)).toEqual(['2', '1']);
    expect(matchCanned(list, '').map((c) => c.id)).toEqual(['1', '2', '3']);
  });

  it('gives every label colour chip text of at least 4.5:1 contrast', () => {
    for (let r = 0; r < 256; r += 17) {
      for (let g = 0; g < 256; g += 17) {
        for (let b = 0; b < 256; b += 17) {
          const color = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
          expect(contrastRatio(color, chipTextColor(color))).toBeGreaterThanOrEqual(4.5);
        }
      }
    }
    expect([chipTextColor('#1d4ed8'), chipTextColor('#fde047')]).toEqual(['#ffffff', '#000000']);
  });
});
