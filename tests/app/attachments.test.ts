// The dashboard's attachments (agents' side) through its routes against the real stack: the same grant, upload and
// send rules as the widget's, and downloads served as attachments with nosniff, to the company's agents only.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as downloadRoute from '../../app/routes/attachments.$attachmentId/route.ts';
import * as sendRoute from '../../app/routes/attachments.send/route.ts';
import * as uploadRoute from '../../app/routes/attachments.upload/route.ts';
import * as loginRoute from '../../app/routes/login/route.tsx';
import { HTML, PDF, PNG } from '../support/attachments.ts';
import { client } from '../support/stack.ts';
import { call, companyWithTeam, cookiesFrom, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let globex: Fixture;
let acmeAgent: string;
let globexAgent: string;

async function signIn(user: { email: string; password: string }): Promise<string> {
  const res = await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' } });
  return cookiesFrom(res);
}

const json = (body: unknown) => ({ raw: { body: JSON.stringify(body), type: 'application/json' } });

async function grant(cookie: string, conversationId: string, file: { name: string; contentType: string; size: number }) {
  const res = await call(uploadRoute.action, '/attachments/upload', { cookie, ...json({ conversationId, id: randomUUID(), ...file }) });
  return { status: res.status, body: await res.json() };
}

async function upload(g: { upload: { path: string; token: string } }, bytes: Buffer, type: string) {
  return client().storage.from('attachments').uploadToSignedUrl(g.upload.path, g.upload.token, new Blob([new Uint8Array(bytes)], { type }), { contentType: type });
}

async function send(cookie: string, conversationId: string, attachments: string[], id = randomUUID(), body = '') {
  const res = await call(sendRoute.action, '/attachments/send', { cookie, ...json({ conversationId, id, body, attachments }) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  useTestStackEnv();
  [acme, globex] = await Promise.all([companyWithTeam('AcmeFiles'), companyWithTeam('GlobexFiles')]);
  [acmeAgent, globexAgent] = await Promise.all([signIn(acme.agent), signIn(globex.agent)]);
});

describe('agents\' attachments', () => {
  it('uploads a PDF and replies with it; the download is an attachment with nosniff, for this company\'s agents only', async () => {
    const g = await grant(acmeAgent, acme.conversationId, { name: 'quote.pdf', contentType: 'application/pdf', size: PDF.length });
    expect(g.status).toBe(201);
    expect(g.body.upload.url).toContain('/storage/v1/object/upload/sign/attachments/company/');
    expect((await upload(g.body, PDF, 'application/pdf')).error).toBeNull();
    const id = randomUUID();
    const sent = await send(acmeAgent, acme.conversationId, [g.body.attachment.id], id, 'Here is the quote');
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ body: 'Here is the quote', sender_kind: 'agent', attachments: [{ name: 'quote.pdf', size: PDF.length }] });
    expect((await send(acmeAgent, acme.conversationId, [g.body.attachment.id], id, 'Here is the quote')).status).toBe(200);

    const path = `/attachments/${g.body.attachment.id}`;
    const res = await call(downloadRoute.loader, path, { cookie: acmeAgent, params: { attachmentId: g.body.attachment.id } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="quote.pdf"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    const other = await call(downloadRoute.loader, path, { cookie: globexAgent, params: { attachmentId: g.body.attachment.id } });
    expect(other.status).toBe(404);
  });

  it('shows an image inline (still nosniff) and refuses bytes that lie about their type', async () => {
    const g = await grant(acmeAgent, acme.conversationId, { name: 'screen.png', contentType: 'image/png', size: PNG.length });
    await upload(g.body, PNG, 'image/png');
    expect((await send(acmeAgent, acme.conversationId, [g.body.attachment.id])).status).toBe(201);
    const res = await call(downloadRoute.loader, `/attachments/${g.body.attachment.id}`, { cookie: acmeAgent, params: { attachmentId: g.body.attachment.id } });
    expect(res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const lie = await grant(acmeAgent, acme.conversationId, { name: 'x.png', contentType: 'image/png', size: HTML.length });
    await upload(lie.body, HTML, 'image/png');
    const before = await sql('select count(*)::int as n from public.messages where conversation_id = $1', [acme.conversationId]);
    const refused = await send(acmeAgent, acme.conversationId, [lie.body.attachment.id]);
    expect(refused.status).toBe(422);
    expect(await sql('select count(*)::int as n from public.messages where conversation_id = $1', [acme.conversationId])).toEqual(before);
  });

  it('refuses another company\'s conversation and another agent\'s file', async () => {
    expect((await grant(globexAgent, acme.conversationId, { name: 'a.txt', contentType: 'text/plain', size: 3 })).status).toBe(404);
    const g = await grant(acmeAgent, acme.conversationId, { name: 'a.txt', contentType: 'text/plain', size: 3 });
    await upload(g.body, Buffer.from('abc'), 'text/plain');
    expect((await send(globexAgent, globex.conversationId, [g.body.attachment.id])).status).toBe(404);
    expect((await grant(acmeAgent, acme.conversationId, { name: 'page.html', contentType: 'text/html', size: 3 })).status).toBe(415);
  });
});
