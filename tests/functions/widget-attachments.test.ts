// widget-attachments and widget-messages with files, against the stand-in (real Deno, Postgres and Storage through
// storage-js): the grant's checks, the send's checks of the stored bytes, idempotent retries, and deletion.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callFunction, grant, HTML, PDF, PNG, send, sendFile, TEXT, uploadSigned, visitorWithConversation } from '../support/attachments.ts';
import { db } from '../support/stack.ts';

const ACME = 'c0000000-0000-4000-8000-00000000ac3e';
let pg_: pg.Client;

beforeAll(async () => {
  pg_ = await db();
});
afterAll(async () => {
  await pg_.end();
});

const objectExists = async (path: string) =>
  (await pg_.query(`select 1 from storage.objects where bucket_id = 'attachments' and name = $1`, [path])).rowCount === 1;
const messageCount = async (conversationId: string) =>
  Number((await pg_.query('select count(*) from public.messages where conversation_id = $1', [conversationId])).rows[0].count);

describe('widget-attachments (the upload grant)', () => {
  it('reserves a path in the visitor\'s own conversation folder with a sanitised name, and answers a retry alike', async () => {
    const v = await visitorWithConversation();
    const id = randomUUID();
    const first = await grant(v, { name: '../../etc/<script>pass wd.png', contentType: 'image/png', size: PNG.length }, { id });
    expect(first.status).toBe(201);
    expect(first.body.attachment).toMatchObject({ id, name: 'script_pass wd.png', contentType: 'image/png', thumbnailPath: null });
    expect(first.body.attachment.path).toBe(`company/${ACME}/conversation/${v.conversationId}/${id}/script_pass wd.png`);
    expect(first.body.upload).toMatchObject({ path: first.body.attachment.path, token: expect.any(String) });
    const again = await grant(v, { name: '../../etc/<script>pass wd.png', contentType: 'image/png', size: PNG.length }, { id });
    expect(again.status).toBe(200);
    expect(again.body.attachment.path).toBe(first.body.attachment.path);
  });

  it('refuses active content and unknown types (415) before any URL exists', async () => {
    const v = await visitorWithConversation();
    for (const contentType of ['image/svg+xml', 'text/html', 'application/javascript', 'application/x-msdownload']) {
      const res = await grant(v, { name: 'x', contentType, size: 10 });
      expect(res.status, contentType).toBe(415);
      expect(res.body.code).toBe('attachment_type_refused');
    }
    expect(Number((await pg_.query('select count(*) from public.attachments where conversation_id = $1', [v.conversationId])).rows[0].count)).toBe(0);
  });

  it('refuses a file over the company\'s limit (10 MB by default, lower when the company says so)', async () => {
    const v = await visitorWithConversation();
    const big = await grant(v, { name: 'big.pdf', contentType: 'application/pdf', size: 10 * 1024 * 1024 + 1 });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'attachment_too_large', maxBytes: 10 * 1024 * 1024 });
    await pg_.query('update public.companies set attachment_max_bytes = 2048 where id = $1', [ACME]);
    try {
      const res = await grant(v, { name: 'small.pdf', contentType: 'application/pdf', size: 4096 });
      expect(res.status).toBe(413);
      expect(res.body.maxBytes).toBe(2048);
    } finally {
      await pg_.query('update public.companies set attachment_max_bytes = default where id = $1', [ACME]);
    }
  });

  it('counts grants against the visitor\'s hourly quota (429 with Retry-After past it)', async () => {
    const v = await visitorWithConversation();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await grant(v, { name: `f${i}.txt`, contentType: 'text/plain', size: 10 })).status);
    expect(statuses.slice(0, 30).every((s) => s === 201)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('refuses another visitor\'s conversation and another company\'s widget key', async () => {
    const a = await visitorWithConversation();
    const b = await visitorWithConversation();
    const other = await grant(b, { name: 'x.txt', contentType: 'text/plain', size: 3 }, { conversationId: a.conversationId });
    expect(other.status).toBe(404);
    const globex = await callFunction('widget-attachments', {
      token: a.token,
      key: 'pk_demo_globex',
      origin: 'http://127.0.0.1:3002',
      body: { conversationId: a.conversationId, id: randomUUID(), name: 'x.txt', contentType: 'text/plain', size: 3 },
    });
    expect(globex.status).toBe(404);
  });
});

describe('widget-messages with files', () => {
  it('stores a message of files only once the file is uploaded, with its attachment, readable by its visitor alone', async () => {
    const v = await visitorWithConversation();
    const { grant: g, sent } = await sendFile(v, PDF, 'application/pdf', 'invoice.pdf');
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ body: '', attachments: [{ id: g.body.attachment.id, name: 'invoice.pdf', contentType: 'application/pdf', size: PDF.length }] });
    const own = await v.supabase.storage.from('attachments').download(g.body.attachment.path);
    expect(Buffer.from(await own.data!.arrayBuffer()).equals(PDF)).toBe(true);
    const stranger = await visitorWithConversation();
    const theirs = await stranger.supabase.storage.from('attachments').download(g.body.attachment.path);
    expect(theirs.data).toBeNull();
    const history = await callFunction('widget-messages', { token: v.token, query: { conversationId: v.conversationId } });
    expect(history.body.messages.at(-1).attachments[0].id).toBe(g.body.attachment.id);
  });

  it('answers a retried send with the stored message, once', async () => {
    const v = await visitorWithConversation();
    const g = await grant(v, { name: 'notes.txt', contentType: 'text/plain', size: TEXT.length });
    await uploadSigned(v, g.body.upload, TEXT, 'text/plain');
    const id = randomUUID();
    const first = await send(v, 'see attached', [g.body.attachment.id], id);
    const retry = await send(v, 'see attached', [g.body.attachment.id], id);
    expect([first.status, retry.status]).toEqual([201, 200]);
    expect(retry.body.message.attachments).toHaveLength(1);
    expect(await messageCount(v.conversationId)).toBe(1);
  });

  it('refuses a file whose bytes are not its declared type (422), stores no message and removes the object', async () => {
    const v = await visitorWithConversation();
    const g = await grant(v, { name: 'cat.png', contentType: 'image/png', size: HTML.length });
    const up = await uploadSigned(v, g.body.upload, HTML, 'image/png');
    expect(up.error).toBeNull();
    const res = await send(v, 'look', [g.body.attachment.id]);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('attachment_type_mismatch');
    expect(await messageCount(v.conversationId)).toBe(0);
    expect(await objectExists(g.body.attachment.path)).toBe(false);
  });

  it('refuses a file stored under another type than declared (Storage\'s own type is checked too)', async () => {
    const v = await visitorWithConversation();
    const g = await grant(v, { name: 'doc.pdf', contentType: 'application/pdf', size: PNG.length });
    await uploadSigned(v, g.body.upload, PNG, 'image/png');
    const res = await send(v, '', [g.body.attachment.id]);
    expect(res.status).toBe(422);
    expect(await messageCount(v.conversationId)).toBe(0);
  });

  it('refuses a file not uploaded yet (409) and takes the same send once it is', async () => {
    const v = await visitorWithConversation();
    const g = await grant(v, { name: 'shot.png', contentType: 'image/png', size: PNG.length });
    const id = randomUUID();
    const early = await send(v, 'here', [g.body.attachment.id], id);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('attachment_not_uploaded');
    expect(await messageCount(v.conversationId)).toBe(0);
    await uploadSigned(v, g.body.upload, PNG, 'image/png');
    expect((await send(v, 'here', [g.body.attachment.id], id)).status).toBe(201);
  });

  it('refuses a file of another conversation (404) and a message of neither text nor files (400)', async () => {
    const a = await visitorWithConversation();
    const b = await visitorWithConversation();
    const { grant: g } = await sendFile(a, TEXT, 'text/plain', 'a.txt');
    const res = await send(b, 'mine now', [g.body.attachment.id]);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('attachment_not_found');
    expect((await send(b, '  ', [])).status).toBe(400);
    expect(await messageCount(b.conversationId)).toBe(0);
  });

  it('deletes a deleted conversation\'s files from Storage', async () => {
    const v = await visitorWithConversation();
    const { grant: g } = await sendFile(v, PNG, 'image/png', 'gone.png');
    expect(await objectExists(g.body.attachment.path)).toBe(true);
    await pg_.query('delete from public.conversations where id = $1', [v.conversationId]);
    // The next grant (anyone's) sweeps the queue through the Storage API.
    const other = await visitorWithConversation();
    expect((await grant(other, { name: 'x.txt', contentType: 'text/plain', size: 3 })).status).toBe(201);
    expect(await objectExists(g.body.attachment.path)).toBe(false);
    expect((await pg_.query('select 1 from public.attachment_deletions where object_path = $1', [g.body.attachment.path])).rowCount).toBe(0);
  });
});
