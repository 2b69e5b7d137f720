// An upload cut halfway (the connection dropped mid-body): Storage keeps nothing, the send that follows is refused
// without storing a message, and the same upload and the same send retried succeed once.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grant, PNG, send, uploadSigned, visitorWithConversation } from '../support/attachments.ts';
import { db, stack } from '../support/stack.ts';
import { recordFaults } from './report.ts';

let pg_: pg.Client;
beforeAll(async () => {
  pg_ = await db();
});
afterAll(async () => {
  await pg_.end();
});

/** PUTs half of a declared body to a signed upload URL, then destroys the socket. */
function cutUpload(path: string, token: string, declared: number): Promise<void> {
  const url = new URL(`${stack().apiUrl}/storage/v1/object/upload/sign/attachments/${encodeURI(path)}?token=${token}`);
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT', headers: { apikey: stack().anonKey, 'Content-Type': 'image/png', 'Content-Length': String(declared) } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(Buffer.alloc(Math.floor(declared / 2), 0x89), () => setTimeout(() => req.destroy(), 50));
  });
}

describe('an upload cut halfway', () => {
  it('leaves no object and no message, and a clean retry stores the message once', async () => {
    const v = await visitorWithConversation();
    // A real PNG padded to 256 KB: the cut arrives long before the end.
    const bytes = Buffer.concat([PNG, Buffer.alloc(256 * 1024)]);
    const g = await grant(v, { name: 'screenshot.png', contentType: 'image/png', size: bytes.length });
    expect(g.status).toBe(201);
    const { path, token } = g.body.upload;

    await cutUpload(path, token, bytes.length);
    const objects = async () => Number((await pg_.query(`select count(*) from storage.objects where bucket_id = 'attachments' and name = $1`, [path])).rows[0].count);
    expect(await objects()).toBe(0);

    const messageId = randomUUID();
    const early = await send(v, 'my screenshot', [g.body.attachment.id], messageId);
    expect(early.status).toBe(409);
    const messages = async () => Number((await pg_.query('select count(*) from public.messages where conversation_id = $1', [v.conversationId])).rows[0].count);
    expect(await messages()).toBe(0);

    // The retry: the same signed URL (still valid, nothing stored at its path), then the same send.
    const retried = await uploadSigned(v, { path, token }, bytes, 'image/png');
    expect(retried.error).toBeNull();
    const sent = await send(v, 'my screenshot', [g.body.attachment.id], messageId);
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments).toHaveLength(1);
    expect((await send(v, 'my screenshot', [g.body.attachment.id], messageId)).status).toBe(200);
    expect(await messages()).toBe(1);
    expect(await objects()).toBe(1);
    recordFaults('upload-cut', { faults: ['upload connection cut halfway'], messagesSent: 1, messagesStored: 1, messagesLost: 0 });
  });
});
