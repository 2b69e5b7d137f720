// How the real demo server (demo/server.ts, the model for a CDN) serves the widget: compressed, the hashed panel
// cached for good, widget.js cached briefly and revalidated by ETag, so a returning visitor's page view costs a 304.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../demo/server.ts';
import { type BuiltWidget, buildWidget } from '../../widget/build.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Bytes on the wire: status line, headers and body as sent. */
  wireBytes: number;
}

let demo: { url: string; stop(): Promise<void> };
let files: BuiltWidget;
beforeAll(async () => {
  files = await buildWidget();
  demo = await startDemoServer({ port: 0, supabaseUrl: 'http://127.0.0.1:1', anonKey: 'anon', widgetKey: 'pk_demo_acme' });
}, 60_000);
afterAll(() => demo?.stop());

/** A plain HTTP GET that counts what came over the socket (no decompression in between). */
function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${demo.url}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders.reduce((s, v, i) => s + v + (i % 2 ? '\r\n' : ': '), '')}\r\n`;
        resolve({ status: res.statusCode!, headers: res.headers, body, wireBytes: Buffer.byteLength(head) + body.length });
      });
    });
    req.on('error', reject);
  });
}

const panelName = () => files.panel.split('/').at(-1)!;

describe('widget files served compressed and cached right', () => {
  it('names the panel chunk by a content hash, and the launcher loads it by that name', () => {
    expect(panelName()).toMatch(/^panel-[A-Z0-9]{8,}\.js$/);
    expect(readFileSync(files.launcher, 'utf8')).toContain(`"${panelName()}"`);
  });

  it('sends widget.js brotli or gzip compressed, cached for at most 5 minutes, with an ETag', async () => {
    const raw = readFileSync(files.launcher);
    const br = await get('/widget.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(raw)).toBe(true);
    expect(br.body.length).toBeLessThan(raw.length / 2);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=300');
    expect(br.headers.etag).toMatch(/^"[^"]+"$/);

    const gz = await get('/widget.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(raw)).toBe(true);
    expect(gz.headers.etag).not.toBe(br.headers.etag); // another representation, another validator

    const plain = await get('/widget.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(raw)).toBe(true);
  });

  it('answers a revalidation of an unchanged widget.js with a 304 of under 1 KB and no body', async () => {
    const first = await get('/widget.js', { 'Accept-Encoding': 'br' });
    const again = await get('/widget.js', { 'Accept-Encoding': 'br', 'If-None-Match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['cache-control']).toBe('public, max-age=300');
    expect(again.wireBytes).toBeLessThanOrEqual(1024);
    // A validator of another build (or another encoding) gets the whole file.
    expect((await get('/widget.js', { 'Accept-Encoding': 'br', 'If-None-Match': '"an-old-build"' })).status).toBe(200);
  });

  it('sends the hashed panel chunk compressed and immutable for a year', async () => {
    const res = await get(`/${panelName()}`, { 'Accept-Encoding': 'br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(brotliDecompressSync(res.body).equals(readFileSync(files.panel))).toBe(true);
    // Brotli beats the gzip the size budget counts.
    expect(res.body.length).toBeLessThanOrEqual(30 * 1024);
  });

  it('compresses the page itself and serves nothing outside the build', async () => {
    const page = await get('/', { 'Accept-Encoding': 'gzip' });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(page.body).toString()).toContain('data-widget-key="pk_demo_acme"');
    expect((await get('/panel.js')).status).toBe(404);
    expect((await get('/files.json')).status).toBe(404);
    expect((await get('/..%2Fbuild.ts')).status).toBe(404);
  });
});
