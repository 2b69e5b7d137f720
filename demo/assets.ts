// How the widget's files are served, the way a CDN in front of widget/dist should serve them: compressed (brotli or
// gzip, whichever the browser takes), the content-hashed panel chunk cached for good, widget.js (the one fixed URL
// sites embed) cached for a few minutes and then revalidated by ETag, so a deploy reaches every site within minutes
// and a returning visitor's page view costs a 304 at most.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** widget.js: how long a browser or CDN may use it without asking again (a deploy is live everywhere after this). */
export const LAUNCHER_MAX_AGE_S = 300;
export const LAUNCHER_CACHE_CONTROL = `public, max-age=${LAUNCHER_MAX_AGE_S}`;
/** panel-<hash>.js and any other hashed chunk: a new build is a new name. */
export const HASHED_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** A file of the build with a content hash in its name. */
export const HASHED_NAME = /^[a-z]+-[A-Za-z0-9]{8,}\.js$/;

type Encoding = 'br' | 'gzip' | 'identity';

interface Asset {
  mtimeMs: number;
  bodies: Record<Encoding, Buffer>;
  /** A strong validator per representation (each encoding is a different body). */
  etags: Record<Encoding, string>;
}

/** The encoding to send: brotli, else gzip, else none (an entry with q=0 refuses it). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, '')) > 0)
      .map(([name]) => name!.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}

export function compress(body: Buffer): Record<Encoding, Buffer> {
  return {
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gzip: gzipSync(body, { level: 9 }),
    identity: body,
  };
}

const cache = new Map<string, Asset>();

/** The file, compressed once per build (re-read when it changes on disk). */
function load(file: string): Asset {
  const { mtimeMs } = statSync(file);
  const known = cache.get(file);
  if (known && known.mtimeMs === mtimeMs) return known;
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
  const asset: Asset = { mtimeMs, bodies: compress(body), etags: { br: `"${hash}-br"`, gzip: `"${hash}-gz"`, identity: `"${hash}"` } };
  cache.set(file, asset);
  return asset;
}

/** Sends a file of widget/dist; false when there is no such file. */
export function serveWidgetFile(dist: string, name: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (name !== 'widget.js' && !HASHED_NAME.test(name)) return false;
  let asset: Asset;
  try {
    asset = load(path.join(dist, name));
  } catch {
    return false;
  }
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const headers: Record<string, string> = {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': name === 'widget.js' ? LAUNCHER_CACHE_CONTROL : HASHED_CACHE_CONTROL,
    ETag: asset.etags[encoding],
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
  };
  if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
  const asked = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (asked.includes(asset.etags[encoding]) || asked.includes('*')) {
    delete headers['Content-Type'];
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  const body = asset.bodies[encoding];
  res.writeHead(200, { ...headers, 'Content-Length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** Sends a small dynamic body (the page itself) compressed, never cached. */
export function sendCompressed(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, text: string) {
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const raw = Buffer.from(text);
  const body = encoding === 'br' ? brotliCompressSync(raw) : encoding === 'gzip' ? gzipSync(raw) : raw;
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding', 'Content-Length': String(body.length) };
  if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
