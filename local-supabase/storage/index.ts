// The /storage/v1 service: the Supabase Storage object API storage-js uses (reference §8) — upload, upload to a
// signed URL, signed download URLs, authenticated download, list and remove — with bucket size and type limits,
// RLS on storage.objects deciding every caller's access, and Storage's error bodies. Files live beside the
// database's data dir. Routes it does not implement answer an error that says so, never a success.
//   access.ts   the caller's JWT, and SQL as the caller
//   objects.ts  the operations, their limits and key rules
//   files.ts    the bytes on disk
//   errors.ts   Storage's error answers
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, type ServiceFactory, type StackContext, sendJson } from '../context.ts';
import { type Claims, JwtError, signJwt, verifyJwt } from '../jwt.ts';
import { requestClaims } from './access.ts';
import { invalidJwt, invalidRequest, noSuchKey, StorageError, sendStorageError } from './errors.ts';
import { FileStore } from './files.ts';
import { type Bucket, checkKey, checkLimits, findBucket, listObjects, probeUpload, putObject, readObject, removeObjects, type Upload } from './objects.ts';

/** `[storage] file_size_limit` of supabase/config.toml's default, the cap above every bucket's own. */
const GLOBAL_FILE_SIZE_LIMIT = 50 * 1024 * 1024;
/** Signed upload URLs are valid for 2 hours (storage-js documents it). */
const UPLOAD_URL_SECONDS = 7200;

/** `/object/<verb?>/<bucket>/<name…>` → its parts; the name keeps its slashes. */
function target(rest: string): { bucket: string; name: string } {
  const [bucket = '', ...name] = rest.split('/');
  return { bucket: decodeURIComponent(bucket), name: name.map(decodeURIComponent).join('/') };
}

async function readUpload(req: IncomingMessage, upsertDefault: boolean): Promise<Upload> {
  const raw = await readBody(req, GLOBAL_FILE_SIZE_LIMIT + 1);
  const type = String(req.headers['content-type'] ?? 'text/plain;charset=UTF-8');
  const upsert = String(req.headers['x-upsert'] ?? String(upsertDefault)) === 'true';
  if (type.startsWith('multipart/form-data')) {
    // storage-js sends a Blob as form data: the file in the field named '' and cacheControl beside it.
    const form = await new Request('http://storage.local/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw) }).formData();
    const file = [...form.values()].find((v): v is File => typeof v !== 'string');
    if (!file) throw invalidRequest('The form holds no file');
    return { bytes: Buffer.from(await file.arrayBuffer()), contentType: file.type || 'text/plain;charset=UTF-8', cacheControl: `max-age=${form.get('cacheControl') ?? '3600'}`, upsert };
  }
  return { bytes: raw, contentType: type, cacheControl: String(req.headers['cache-control'] ?? 'max-age=3600'), upsert };
}

function sendObject(res: ServerResponse, files: FileStore, bucket: string, name: string, metadata: Record<string, unknown>, asAttachment?: string | null) {
  const file = files.read(bucket, name);
  if (!file) throw noSuchKey();
  res.writeHead(200, {
    'Content-Type': String(metadata.mimetype ?? 'application/octet-stream'),
    'Content-Length': String(file.size),
    'Cache-Control': String(metadata.cacheControl ?? 'no-cache'),
    ETag: String(metadata.eTag ?? ''),
    ...(asAttachment !== undefined && asAttachment !== null
      ? { 'Content-Disposition': `attachment${asAttachment ? `; filename="${encodeURIComponent(asAttachment)}"` : ''}` }
      : {}),
  });
  file.stream.pipe(res);
}

export const createStorageService: ServiceFactory = (ctx: StackContext) => {
  const { cfg, pool } = ctx;
  const files = new FileStore(`${cfg.dataDir}.storage`);
  const sign = (claims: Claims, seconds: number) => signJwt(cfg.jwtSecret, { ...claims, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + seconds });

  async function verifyToken(token: string | null, bucket: string, name: string): Promise<Claims> {
    if (!token) throw invalidRequest('querystring must have required property \'token\'');
    let claims: Claims;
    try {
      claims = await verifyJwt(cfg.jwtKeys, token);
    } catch (err) {
      throw invalidJwt(err instanceof JwtError && err.kind === 'expired' ? 'jwt expired' : 'invalid signature');
    }
    if (claims.url !== `${bucket}/${name}`) throw new StorageError(400, 'InvalidSignature', 'InvalidSignature', 'The url do not match the signature');
    return claims;
  }

  async function upload(req: IncomingMessage, res: ServerResponse, claims: Claims, bucket: Bucket, name: string, upsertDefault: boolean) {
    const body = await readUpload(req, upsertDefault);
    checkLimits(bucket, GLOBAL_FILE_SIZE_LIMIT, body);
    const { id } = await putObject(pool, files, claims, bucket, name, body);
    sendJson(res, 200, { Id: id, Key: `${bucket.id}/${name}` });
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, url: URL) {
    const m = req.method ?? 'GET';
    const at = (prefix: string) => (path.startsWith(prefix) ? path.slice(prefix.length) : null);
    let rest: string | null;

    // Signed URLs carry their own authority (a token for one object): no JWT needed.
    if ((rest = at('/object/upload/sign/')) !== null && m === 'PUT') {
      const { bucket, name } = target(rest);
      const grant = await verifyToken(url.searchParams.get('token'), bucket, checkKey(name));
      const b = await findBucket(pool, bucket);
      const owner: Claims = { role: 'service_role', ...(typeof grant.owner === 'string' ? { sub: grant.owner } : {}) };
      return upload(req, res, owner, b, name, grant.upsert === true);
    }
    if ((rest = at('/object/sign/')) !== null && m === 'GET') {
      const { bucket, name } = target(rest);
      await verifyToken(url.searchParams.get('token'), bucket, checkKey(name));
      const { metadata } = await readObject(pool, { role: 'service_role' }, bucket, name);
      return sendObject(res, files, bucket, name, metadata, url.searchParams.get('download'));
    }

    const claims = await requestClaims(cfg.jwtKeys, req);
    if ((rest = at('/object/upload/sign/')) !== null && m === 'POST') {
      const { bucket, name } = target(rest);
      const b = await findBucket(pool, bucket);
      const upsert = String(req.headers['x-upsert'] ?? 'false') === 'true';
      await probeUpload(pool, claims, b, checkKey(name), upsert);
      const token = await sign({ owner: claims.sub, url: `${bucket}/${name}`, upsert }, UPLOAD_URL_SECONDS);
      return sendJson(res, 200, { url: `/object/upload/sign/${encodeURI(`${bucket}/${name}`)}?token=${token}`, token });
    }
    if ((rest = at('/object/sign/')) !== null && m === 'POST') {
      const { bucket, name } = target(rest);
      const body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8') || '{}') as { expiresIn?: unknown };
      const expiresIn = Number(body.expiresIn);
      if (!Number.isInteger(expiresIn) || expiresIn < 1) throw invalidRequest('body/expiresIn must be >= 1');
      await findBucket(pool, bucket);
      await readObject(pool, claims, bucket, checkKey(name));
      const token = await sign({ url: `${bucket}/${name}` }, expiresIn);
      return sendJson(res, 200, { signedURL: `/object/sign/${encodeURI(`${bucket}/${name}`)}?token=${token}` });
    }
    if ((rest = at('/object/list/')) !== null && m === 'POST') {
      const bucket = decodeURIComponent(rest);
      await findBucket(pool, bucket);
      const body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8') || '{}') as Record<string, any>;
      const column = ['name', 'created_at', 'updated_at', 'last_accessed_at'].includes(body.sortBy?.column) ? body.sortBy.column : 'name';
      const rows = await listObjects(pool, claims, bucket, {
        prefix: typeof body.prefix === 'string' ? body.prefix : '',
        limit: Math.min(Math.max(Number(body.limit) || 100, 1), 1000),
        offset: Math.max(Number(body.offset) || 0, 0),
        search: typeof body.search === 'string' ? body.search : '',
        sortColumn: column,
        ascending: body.sortBy?.order !== 'desc',
      });
      return sendJson(res, 200, rows);
    }
    if ((rest = at('/object/authenticated/')) !== null || ((rest = at('/object/')) !== null && (m === 'GET' || m === 'HEAD'))) {
      if (m !== 'GET' && m !== 'HEAD') throw invalidRequest(`${m} is not allowed here`);
      const { bucket, name } = target(rest);
      await findBucket(pool, bucket);
      const { metadata } = await readObject(pool, claims, bucket, checkKey(name));
      if (m === 'HEAD') {
        res.writeHead(200, { 'Content-Type': String(metadata.mimetype ?? ''), 'Content-Length': String(metadata.size ?? 0) }).end();
        return;
      }
      return sendObject(res, files, bucket, name, metadata, url.searchParams.get('download'));
    }
    if ((rest = at('/object/')) !== null && (m === 'POST' || m === 'PUT') && rest.includes('/')) {
      const { bucket, name } = target(rest);
      return upload(req, res, claims, await findBucket(pool, bucket), checkKey(name), m === 'PUT');
    }
    if ((rest = at('/object/')) !== null && m === 'DELETE' && !rest.includes('/')) {
      const bucket = decodeURIComponent(rest);
      await findBucket(pool, bucket);
      const body = JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8') || '{}') as { prefixes?: unknown };
      if (!Array.isArray(body.prefixes) || body.prefixes.some((p) => typeof p !== 'string')) throw invalidRequest('body/prefixes must be an array of strings');
      return sendJson(res, 200, await removeObjects(pool, files, claims, bucket, body.prefixes as string[]));
    }
    throw new StorageError(404, 'NotImplemented', 'Not Found', `${m} /storage/v1${path} is not implemented by the local stand-in`);
  }

  return {
    async handle(req, res, path, url) {
      try {
        await route(req, res, path, url);
      } catch (err) {
        if (err instanceof StorageError) return sendStorageError(res, err);
        if (err instanceof SyntaxError) return sendStorageError(res, invalidRequest('Body is not valid JSON'));
        if ((err as { status?: number }).status === 413) return sendStorageError(res, new StorageError(413, 'EntityTooLarge', 'Payload too large', 'The object exceeded the maximum allowed size'));
        throw err;
      }
    },
  };
};
