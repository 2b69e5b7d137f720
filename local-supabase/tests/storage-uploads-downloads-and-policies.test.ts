// Conformance: the official storage-js (through supabase-js) against the local /storage/v1 — upload, signed upload
// URLs, signed download URLs, download, list and remove, each decided by RLS policies on storage.objects and by the
// bucket's size and type limits, with Storage's error answers for the refusals.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db, stack } from '../../tests/support/stack.ts';

const BUCKET = `conf-${randomUUID().slice(0, 8)}`;
let a: { supabase: ReturnType<typeof client>; id: string };
let b: { supabase: ReturnType<typeof client>; id: string };

async function visitor() {
  const supabase = client();
  const { data, error } = await supabase.auth.signInAnonymously();
  if (error) throw error;
  return { supabase, id: data.user!.id };
}

const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e0d3b1a40000000049454e44ae426082', 'hex');

beforeAll(async () => {
  // A private bucket of 1 KB images and text, each user's files under a folder named by their id: the same SQL a
  // migration on hosted Supabase would run.
  const pg = await db();
  try {
    await pg.query(`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values ($1, $1, false, 1024, array['image/*', 'text/plain'])`, [BUCKET]);
    for (const [op, check] of [
      ['select', 'using'],
      ['insert', 'with check'],
      ['update', 'using'],
      ['delete', 'using'],
    ] as const) {
      await pg.query(
        `create policy "${BUCKET} own ${op}" on storage.objects for ${op} to authenticated
           ${check} (bucket_id = '${BUCKET}' and (storage.foldername(name))[1] = (select auth.uid())::text)`,
      );
    }
  } finally {
    await pg.end();
  }
  a = await visitor();
  b = await visitor();
});

afterAll(async () => {
  const pg = await db();
  try {
    for (const op of ['select', 'insert', 'update', 'delete']) await pg.query(`drop policy if exists "${BUCKET} own ${op}" on storage.objects`);
  } finally {
    await pg.end();
  }
});

describe('storage-js against the local Storage', () => {
  it('uploads into the own folder and downloads it back, bytes and type intact', async () => {
    const path = `${a.id}/pixel.png`;
    const up = await a.supabase.storage.from(BUCKET).upload(path, new Blob([png], { type: 'image/png' }));
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path, fullPath: `${BUCKET}/${path}` });
    const down = await a.supabase.storage.from(BUCKET).download(path);
    expect(down.error).toBeNull();
    expect(down.data!.type).toBe('image/png');
    expect(Buffer.from(await down.data!.arrayBuffer()).equals(png)).toBe(true);
  });

  it('refuses another user: no upload into a folder not theirs, and the file is not found for them', async () => {
    const path = `${a.id}/secret.txt`;
    expect((await a.supabase.storage.from(BUCKET).upload(path, 'mine', { contentType: 'text/plain' })).error).toBeNull();
    const forged = await b.supabase.storage.from(BUCKET).upload(`${a.id}/forged.txt`, 'theirs', { contentType: 'text/plain' });
    expect(forged.error).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });
    const read = await b.supabase.storage.from(BUCKET).download(path);
    expect(read.data).toBeNull();
    expect(read.error).not.toBeNull();
    const signed = await b.supabase.storage.from(BUCKET).createSignedUrl(path, 60);
    expect(signed.error).toMatchObject({ statusCode: '404', message: 'Object not found' });
  });

  it('enforces the bucket limits: size and type', async () => {
    const big = await a.supabase.storage.from(BUCKET).upload(`${a.id}/big.txt`, 'x'.repeat(2048), { contentType: 'text/plain' });
    expect(big.error).toMatchObject({ statusCode: '413', message: 'The object exceeded the maximum allowed size' });
    const html = await a.supabase.storage.from(BUCKET).upload(`${a.id}/page.html`, '<b>x</b>', { contentType: 'text/html' });
    expect(html.error).toMatchObject({ statusCode: '415', message: 'mime type text/html is not supported' });
    const none = await a.supabase.storage.from(BUCKET).list(a.id);
    expect(none.data!.map((o) => o.name)).not.toContain('big.txt');
  });

  it('refuses a duplicate unless upsert, a path out of the own folder, and a key outside Storage’s character set', async () => {
    const path = `${a.id}/twice.txt`;
    expect((await a.supabase.storage.from(BUCKET).upload(path, 'one', { contentType: 'text/plain' })).error).toBeNull();
    const again = await a.supabase.storage.from(BUCKET).upload(path, 'two', { contentType: 'text/plain' });
    expect(again.error).toMatchObject({ statusCode: '409', message: 'The resource already exists' });
    expect((await a.supabase.storage.from(BUCKET).upload(path, 'two', { contentType: 'text/plain', upsert: true })).error).toBeNull();
    expect(await (await a.supabase.storage.from(BUCKET).download(path)).data!.text()).toBe('two');
    // A '..' in the path is resolved by URL parsing before Storage sees it (the client's and the gateway's, as
    // nginx does on hosted), so the policies see B's folder and refuse; a character outside Storage's key set
    // is refused as an invalid key.
    const traversal = await a.supabase.storage.from(BUCKET).upload(`${a.id}/../${b.id}/x.txt`, 'x', { contentType: 'text/plain' });
    expect(traversal.error).toMatchObject({ statusCode: '403' });
    const odd = await a.supabase.storage.from(BUCKET).upload(`${a.id}/<script>.txt`, 'x', { contentType: 'text/plain' });
    expect(odd.error).toMatchObject({ statusCode: '400', message: `Invalid key: ${a.id}/<script>.txt` });
  });

  it('hands out a signed upload URL only for what the policies allow, and the URL works without a session', async () => {
    const path = `${a.id}/via-signed-url.txt`;
    const grant = await a.supabase.storage.from(BUCKET).createSignedUploadUrl(path);
    expect(grant.error).toBeNull();
    const anon = client();
    const up = await anon.storage.from(BUCKET).uploadToSignedUrl(path, grant.data!.token, 'signed', { contentType: 'text/plain' });
    expect(up.error).toBeNull();
    expect(await (await a.supabase.storage.from(BUCKET).download(path)).data!.text()).toBe('signed');
    // The token names one object: another path with it is refused, and B gets no URL for A's folder.
    const elsewhere = await anon.storage.from(BUCKET).uploadToSignedUrl(`${a.id}/other.txt`, grant.data!.token, 'x', { contentType: 'text/plain' });
    expect(elsewhere.error).not.toBeNull();
    const refused = await b.supabase.storage.from(BUCKET).createSignedUploadUrl(`${a.id}/b-was-here.txt`);
    expect(refused.error).toMatchObject({ statusCode: '403' });
  });

  it('signs a download URL a browser can fetch with no headers; a tampered token is refused', async () => {
    const path = `${a.id}/shared.png`;
    await a.supabase.storage.from(BUCKET).upload(path, new Blob([png], { type: 'image/png' }));
    const signed = await a.supabase.storage.from(BUCKET).createSignedUrl(path, 60);
    expect(signed.error).toBeNull();
    const res = await fetch(signed.data!.signedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    const tampered = await fetch(signed.data!.signedUrl.replace(/token=([^.]+)\.([^.]+)\./, 'token=$1.$2x.'));
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ statusCode: '400', error: 'InvalidJWT' });
    const download = await fetch(`${signed.data!.signedUrl}&download=pixel.png`);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="pixel.png"');
  });

  it('lists one folder level and removes only what the caller may delete', async () => {
    const s = a.supabase.storage.from(BUCKET);
    await s.upload(`${a.id}/docs/one.txt`, '1', { contentType: 'text/plain' });
    await s.upload(`${a.id}/docs/two.txt`, '2', { contentType: 'text/plain' });
    const top = await s.list(a.id);
    expect(top.data!.find((o) => o.name === 'docs')).toMatchObject({ id: null });
    const docs = await s.list(`${a.id}/docs`, { sortBy: { column: 'name', order: 'desc' } });
    expect(docs.data!.map((o) => o.name)).toEqual(['two.txt', 'one.txt']);
    expect(docs.data![0]!.metadata).toMatchObject({ size: 1, mimetype: 'text/plain' });
    const byB = await b.supabase.storage.from(BUCKET).remove([`${a.id}/docs/one.txt`]);
    expect(byB.data).toEqual([]);
    const byA = await s.remove([`${a.id}/docs/one.txt`]);
    expect(byA.data!.map((o) => o.name)).toEqual([`${a.id}/docs/one.txt`]);
    expect((await s.list(`${a.id}/docs`)).data!.map((o) => o.name)).toEqual(['two.txt']);
  });

  it('answers an unknown bucket with Bucket not found, and what it does not implement with an error naming it', async () => {
    const none = await a.supabase.storage.from('no-such-bucket').upload(`${a.id}/x.txt`, 'x', { contentType: 'text/plain' });
    expect(none.error).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
    const res = await fetch(`${stack().apiUrl}/storage/v1/object/move`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, authorization: `Bearer ${stack().anonKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe('POST /storage/v1/object/move is not implemented by the local stand-in');
  });
});
