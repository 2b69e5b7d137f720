// One transaction per request on a pool connection: role, search_path and the request.* settings in a single
// set_config select, as PostgREST does (reference §4.1). The reply is built inside and sent only after COMMIT,
// so a client that reacts to the response always sees the committed write.
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import type { Reply, RestRequest } from './http.ts';
import { q } from './query.ts';

export async function inTransaction(
  pool: pg.Pool,
  cfg: StackConfig,
  rq: RestRequest,
  schema: string,
  readOnly: boolean,
  fn: (db: pg.PoolClient) => Promise<Reply>,
): Promise<Reply> {
  const db = await pool.connect();
  let broken = false;
  try {
    await db.query(readOnly ? 'begin isolation level read committed read only' : 'begin isolation level read committed');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(rq.req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    const cookies: Record<string, string> = {};
    for (const part of (headers.cookie ?? '').split(';')) {
      const i = part.indexOf('=');
      if (i <= 0) continue;
      const raw = part.slice(i + 1).trim();
      try {
        cookies[part.slice(0, i).trim()] = decodeURIComponent(raw);
      } catch {
        cookies[part.slice(0, i).trim()] = raw;
      }
    }
    const searchPath = [schema, ...cfg.extraSearchPath.filter((s) => s !== schema)].map(q).join(', ');
    await db.query(
      `select set_config('search_path', $1, true), set_config('role', $2, true), set_config('request.jwt.claims', $3, true),
              set_config('request.method', $4, true), set_config('request.path', $5, true),
              set_config('request.headers', $6, true), set_config('request.cookies', $7, true)`,
      [searchPath, rq.auth.role, JSON.stringify(rq.auth.claims), rq.method, rq.url.pathname.replace(/^\/rest\/v1/, ''), JSON.stringify(headers), JSON.stringify(cookies)],
    );
    const reply = await fn(db);
    await db.query('commit');
    return reply;
  } catch (err) {
    await db.query('rollback').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    db.release(broken);
  }
}
