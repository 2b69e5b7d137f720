// Fuzzing the upload grant and the send with files (seeded): oversized, wrong and lying types, path traversal,
// another conversation's files and paths, another company's key. Never a 5xx; nothing stored from the refusals.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callFunction,
  GLOBEX_KEY,
  GLOBEX_ORIGIN,
  grant,
  HTML,
  PNG,
  send,
  sendFile,
  type TestVisitor,
  uploadSigned,
  visitorWithConversation,
} from '../support/attachments.ts';
import { db, stack } from '../support/stack.ts';
import { recordFaults } from './report.ts';

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['../../../etc/passwd', '..', '.', '/', '\\..\\win.ini', 'a/../../b.png', '%2e%2e%2fx', '\u202egnp.exe', 'x'.repeat(400), '', ' ', 'CON', 'file.svg'];
const TYPES = ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'image/png', 'application/pdf', 'text/plain', '', 'image/*', 'x'.repeat(300), 'image/png; charset=utf-8'];
const SIZES = [0, -1, 1, 10 * 1024 * 1024 + 1, 2 ** 53, 1.5, Number.MAX_SAFE_INTEGER, 100];

let pg_: pg.Client;
let attacker: TestVisitor;
let victim: TestVisitor;
let victimFile: { id: string; path: string };

const count = async (sql: string, params: unknown[]) => Number((await pg_.query(sql, params)).rows[0].count);

beforeAll(async () => {
  pg_ = await db();
  attacker = await visitorWithConversation();
  victim = await visitorWithConversation();
  const { grant: g, sent } = await sendFile(victim, PNG, 'image/png', 'victim.png', 'private screenshot');
  expect(sent.status).toBe(201);
  victimFile = { id: g.body.attachment.id, path: g.body.attachment.path };
});
afterAll(async () => {
  await pg_.end();
});

describe('fuzzing widget-attachments and widget-messages with files', () => {
  it('answers 400 random grants without a 5xx, reserving only what passed every check', async () => {
    const r = rng(20261204);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
    const statuses = new Map<number, number>();
    let granted = 0;
    for (let i = 0; i < 400; i++) {
      const body: Record<string, unknown> = {
        conversationId: r() < 0.8 ? attacker.conversationId : pick([victim.conversationId, randomUUID(), 'x', null]),
        id: r() < 0.9 ? randomUUID() : pick([victimFile.id, 'not-a-uuid', 7]),
        name: pick(NAMES),
        contentType: pick(TYPES),
        size: pick(SIZES),
      };
      if (r() < 0.3) body.thumbnail = { size: pick(SIZES) };
      if (r() < 0.1) delete body[pick(Object.keys(body))];
      const res = await callFunction('widget-attachments', {
        token: attacker.token,
        rawBody: r() < 0.05 ? JSON.stringify(body).slice(0, 20) : JSON.stringify(body),
        ...(r() < 0.1 ? { key: GLOBEX_KEY, origin: GLOBEX_ORIGIN } : {}),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 201) {
        granted++;
        // Whatever was sent, a granted path is in the attacker's folder with one safe last segment.
        expect(res.body.attachment.path).toMatch(new RegExp(`^company/[0-9a-f-]{36}/conversation/${attacker.conversationId}/[0-9a-f-]{36}/[A-Za-z0-9][A-Za-z0-9._ ()-]*$`));
      }
    }
    const fiveXx = [...statuses].filter(([s]) => s >= 500);
    expect(fiveXx).toEqual([]);
    // Refusals leave nothing: the attacker's reservations are exactly the grants, none in the victim's conversation.
    expect(await count('select count(*) from public.attachments where uploader_id = $1', [attacker.userId])).toBe(granted);
    expect(await count('select count(*) from public.attachments where conversation_id = $1', [victim.conversationId])).toBe(1);
    recordFaults('fuzz-attachments', { inputsTried: 400, statuses: Object.fromEntries(statuses) });
  });

  it('refuses each hostile case by name with a 4xx, storing no message and no object outside the attacker\'s grants', async () => {
    const before = await count('select count(*) from public.messages where conversation_id = $1', [attacker.conversationId]);
    const results: Record<string, number> = {};

    results.oversized = (await grant(attacker, { name: 'big.pdf', contentType: 'application/pdf', size: 50 * 1024 * 1024 })).status;
    results.wrongType = (await grant(attacker, { name: 'x.svg', contentType: 'image/svg+xml', size: 10 })).status;

    const lying = await grant(attacker, { name: 'cat.png', contentType: 'image/png', size: HTML.length });
    await uploadSigned(attacker, lying.body.upload, HTML, 'image/png');
    results.lyingContentType = (await send(attacker, '', [lying.body.attachment.id])).status;

    const traversal = await grant(attacker, { name: '../../../conversation/x/evil.png', contentType: 'image/png', size: PNG.length });
    expect(traversal.body.attachment.path.split('/')).toHaveLength(6);
    // The signed token names one path: it uploads nowhere else (not the victim's folder, not a traversal).
    const elsewhere = await attacker.supabase.storage
      .from('attachments')
      .uploadToSignedUrl(victimFile.path.replace('victim.png', 'planted.png'), traversal.body.upload.token, new Blob([new Uint8Array(PNG)], { type: 'image/png' }));
    results.tokenForAnotherPath = (elsewhere.error as { statusCode?: string } | null)?.statusCode ? Number((elsewhere.error as { statusCode: string }).statusCode) : 200;
    const dotdot = await fetch(`${stack().apiUrl}/storage/v1/object/upload/sign/attachments/${traversal.body.upload.path}/../../x.png?token=${traversal.body.upload.token}`, {
      method: 'PUT',
      headers: { apikey: stack().anonKey, 'Content-Type': 'image/png' },
      body: new Uint8Array(PNG),
    });
    results.dotDotUpload = dotdot.status;

    results.anotherConversationsGrant = (await grant(attacker, { name: 'x.png', contentType: 'image/png', size: 10 }, { conversationId: victim.conversationId })).status;
    results.anotherConversationsFile = (await send(attacker, 'mine', [victimFile.id])).status;
    results.anotherCompanysKey = (
      await callFunction('widget-attachments', {
        token: attacker.token,
        key: GLOBEX_KEY,
        origin: GLOBEX_ORIGIN,
        body: { conversationId: attacker.conversationId, id: randomUUID(), name: 'x.png', contentType: 'image/png', size: 10 },
      })
    ).status;
    results.anotherCompanysKeySend = (
      await callFunction('widget-messages', {
        token: attacker.token,
        key: GLOBEX_KEY,
        origin: GLOBEX_ORIGIN,
        body: { conversationId: attacker.conversationId, id: randomUUID(), body: '', attachments: [victimFile.id] },
      })
    ).status;
    results.sixFiles = (await send(attacker, '', Array.from({ length: 6 }, () => randomUUID()))).status;

    expect(results).toEqual({
      oversized: 413,
      wrongType: 415,
      lyingContentType: 422,
      tokenForAnotherPath: 400,
      dotDotUpload: 400,
      anotherConversationsGrant: 404,
      anotherConversationsFile: 404,
      anotherCompanysKey: 404,
      anotherCompanysKeySend: 404,
      sixFiles: 400,
    });
    expect(await count('select count(*) from public.messages where conversation_id = $1', [attacker.conversationId])).toBe(before);
    // The victim's folder holds only the victim's file; the lying object was removed.
    expect(await count(`select count(*) from storage.objects where bucket_id = 'attachments' and name like $1`, [`${victimFile.path.split('/').slice(0, 4).join('/')}/%`])).toBe(1);
    expect(await count(`select count(*) from storage.objects where name = $1`, [lying.body.attachment.path])).toBe(0);
    expect(await count('select count(*) from public.attachments where message_id is not null and conversation_id = $1', [attacker.conversationId])).toBe(0);
  });
});
