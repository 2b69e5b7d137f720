// The object operations /storage/v1 offers, each checked the way Supabase Storage checks it: the bucket and its
// limits read as the service, the row written or read as the caller (the policies decide), bytes kept in files.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Claims } from '../jwt.ts';
import { asUser } from './access.ts';
import { invalidKey, invalidMime, noSuchBucket, noSuchKey, tooLarge } from './errors.ts';
import type { FileStore } from './files.ts';

export interface Bucket {
  id: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

export interface Upload {
  bytes: Buffer;
  contentType: string;
  cacheControl: string;
  upsert: boolean;
}

// Storage's key rule: printable characters from a safe set, no empty or '..' segment.
const KEY = /^[\w/!\-.*'() &$@=;:+,?]+$/;
export function checkKey(name: string): string {
  if (!name || !KEY.test(name) || name.startsWith('/') || name.split('/').some((s) => s === '' || s === '..' || s === '.')) throw invalidKey(name);
  return name;
}

export async function findBucket(pool: pg.Pool, id: string): Promise<Bucket> {
  const { rows } = await pool.query<Bucket>('select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = $1', [id]);
  if (!rows[0]) throw noSuchBucket();
  return { ...rows[0], file_size_limit: rows[0].file_size_limit === null ? null : Number(rows[0].file_size_limit) };
}

function mimeAllowed(bucket: Bucket, mime: string): boolean {
  if (!bucket.allowed_mime_types?.length) return true;
  const [type] = mime.split(';');
  return bucket.allowed_mime_types.some((m) => (m.endsWith('/*') ? type!.startsWith(m.slice(0, -1)) : m === type));
}

/** The bucket's size and type limits, as Storage applies them before storing anything. */
export function checkLimits(bucket: Bucket, globalLimit: number, upload: Pick<Upload, 'bytes' | 'contentType'>) {
  if (upload.bytes.length > Math.min(globalLimit, bucket.file_size_limit ?? Number.POSITIVE_INFINITY)) throw tooLarge();
  if (!mimeAllowed(bucket, upload.contentType)) throw invalidMime(upload.contentType);
}

function metadataOf(upload: Upload) {
  return {
    eTag: `"${createHash('md5').update(upload.bytes).digest('hex')}"`,
    size: upload.bytes.length,
    mimetype: upload.contentType,
    cacheControl: upload.cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: upload.bytes.length,
    httpStatusCode: 200,
  };
}

const INSERT = `insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)
                values ($1, $2, $3, $4, $5, $6) returning id`;
const UPSERT = `${INSERT.replace(' returning id', '')}
                on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id,
                  metadata = excluded.metadata, version = excluded.version, updated_at = now()
                returning id`;

/** Stores an object as `claims` (the insert policy, and for an upsert the update policy, decide). */
export async function putObject(pool: pg.Pool, files: FileStore, claims: Claims, bucket: Bucket, name: string, upload: Upload): Promise<{ id: string }> {
  const owner = typeof claims.sub === 'string' && /^[0-9a-f-]{36}$/i.test(claims.sub) ? claims.sub : null;
  const staged = files.stage(upload.bytes);
  try {
    const id = await asUser(pool, claims, async (db) => {
      const { rows } = await db.query<{ id: string }>(upload.upsert ? UPSERT : INSERT, [bucket.id, name, owner, owner, metadataOf(upload), randomUUID()]);
      return rows[0]!.id;
    });
    staged.commit(bucket.id, name);
    return { id };
  } catch (err) {
    staged.discard();
    throw err;
  }
}

/** Whether `claims` may insert this object (a rolled-back probe, as Storage's signed-upload check does). */
export async function probeUpload(pool: pg.Pool, claims: Claims, bucket: Bucket, name: string, upsert: boolean) {
  const owner = typeof claims.sub === 'string' ? claims.sub : null;
  await asUser(pool, claims, (db) => db.query(upsert ? UPSERT : INSERT, [bucket.id, name, owner, owner, {}, randomUUID()]), { rollback: true });
}

/** The object's metadata, if `claims` may read it (the select policy decides). */
export async function readObject(pool: pg.Pool, claims: Claims, bucketId: string, name: string): Promise<{ metadata: Record<string, unknown> }> {
  const rows = await asUser(pool, claims, async (db) => (await db.query('select metadata from storage.objects where bucket_id = $1 and name = $2', [bucketId, name])).rows);
  if (!rows[0]) throw noSuchKey();
  return rows[0];
}

/** Deletes the named objects `claims` may delete; returns their rows (what storage-js' remove() answers). */
export async function removeObjects(pool: pg.Pool, files: FileStore, claims: Claims, bucketId: string, names: string[]) {
  const rows = await asUser(
    pool,
    claims,
    async (db) => (await db.query('delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning *', [bucketId, names])).rows,
  );
  for (const r of rows) files.remove(bucketId, r.name);
  return rows.map(({ path_tokens: _p, ...r }) => r);
}

export interface ListOptions {
  prefix: string;
  limit: number;
  offset: number;
  search: string;
  sortColumn: 'name' | 'created_at' | 'updated_at' | 'last_accessed_at';
  ascending: boolean;
}

/** One folder level under `prefix`: files and sub-folders (folders have id null), as storage.search answers. */
export async function listObjects(pool: pg.Pool, claims: Claims, bucketId: string, o: ListOptions) {
  const prefix = o.prefix && !o.prefix.endsWith('/') ? `${o.prefix}/` : o.prefix;
  const level = prefix ? prefix.split('/').length : 1;
  const rows = await asUser(pool, claims, async (db) =>
    (
      await db.query(
        `with visible as (
           select split_part(substr(name, length($2) + 1), '/', 1) as entry, name, id, updated_at, created_at, last_accessed_at, metadata
             from storage.objects where bucket_id = $1 and name like $2 || '%' and array_length(path_tokens, 1) >= $3
         )
         select entry as name,
                case when count(*) filter (where name = $2 || entry) > 0 then (array_agg(id) filter (where name = $2 || entry))[1] end as id,
                max(updated_at) filter (where name = $2 || entry) as updated_at, max(created_at) filter (where name = $2 || entry) as created_at,
                max(last_accessed_at) filter (where name = $2 || entry) as last_accessed_at,
                (array_agg(metadata) filter (where name = $2 || entry))[1] as metadata
           from visible where entry ilike '%' || $4 || '%'
          group by entry
          order by ${o.sortColumn === 'name' ? 'entry' : o.sortColumn} ${o.ascending ? 'asc' : 'desc'} nulls last, entry
          limit $5 offset $6`,
        [bucketId, prefix, level, o.search, o.limit, o.offset],
      )
    ).rows,
  );
  return rows;
}
