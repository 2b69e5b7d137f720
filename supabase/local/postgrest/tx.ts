// One transaction per request on a pool connection: role, search_path and the request.* settings in a single
// set_config select, as PostgREST does (reference §4.1). The reply is built inside and sent only after COMMIT,
// so a client that reacts to the response always sees the committed write.
//
// Round trips are what a request costs here (each one wakes a Postgres backend and this process up again), so
// BEGIN, the set_config select and the handler's first query travel as one simple-protocol message
// ("begin; select set_config(...); <query>"), its parameters written as escaped literals: two round trips per
// request (that message, then COMMIT) instead of four, and one when the handler says nothing after its query
// can fail (COMMIT then ends the same message). Postgres runs the statements of such a message one after
// the other, each analysed only when its turn comes, so the query sees the role and settings just set; on an
// error it stops there and the transaction is rolled back below. A query whose parameters cannot be written as
// literals exactly (binary data, NUL characters) or whose text has `$` other than placeholders goes the
// ordinary way: the setup first, then the query with bound parameters.
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import type { Reply, RestRequest } from './http.ts';
import { q } from './query.ts';

/** What a handler may do inside the request's transaction. */
export interface TxClient {
  /**
   * `last`: nothing after this query can fail the request, so COMMIT may travel with it (then a request that
   * makes one query is one round trip). Its error, COMMIT's included, still rejects and rolls back.
   */
  query(sql: string, values?: unknown[], opts?: { last?: boolean }): Promise<pg.QueryResult>;
}

// pg's own conversions, so a literal carries exactly the text a bound parameter would have carried.
const { prepareValue, escapeLiteral } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(v: unknown): unknown;
  escapeLiteral(s: string): string;
};

/** A parameter as an SQL literal (untyped, like a bound text parameter), or null when it cannot be one exactly. */
function literal(v: unknown): string | null {
  const p = prepareValue(v);
  if (p === null || p === undefined) return 'NULL';
  if (typeof p !== 'string' || p.includes('\0')) return null;
  return escapeLiteral(p);
}

/**
 * The query with $n placeholders replaced by literals; null if that cannot be done safely. Quoted literals,
 * quoted identifiers and comments are skipped; any other `$` (dollar quoting) gives up.
 */
export function inlineParams(sql: string, values: unknown[]): string | null {
  const lits: string[] = [];
  for (const v of values) {
    const l = literal(v);
    if (l === null) return null;
    lits.push(l);
  }
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // E'...' strings take backslash escapes.
      const escapes = c === "'" && i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      for (;;) {
        if (j >= n) return null;
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j += 1;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      if (j < 0) return null;
      out += sql.slice(i, j + 2);
      i = j + 2;
    } else if (c === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (!m || (i > 0 && /[A-Za-z0-9_]/.test(sql[i - 1]!))) return null;
      const lit = lits[Number(m[1]) - 1];
      if (lit === undefined) return null;
      // Parenthesised, so that `-$1` or `$1::type` mean what they meant with a bound parameter.
      out += `(${lit})`;
      i += m[0].length;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

export async function inTransaction(
  pool: pg.Pool,
  cfg: StackConfig,
  rq: RestRequest,
  schema: string,
  readOnly: boolean,
  fn: (db: TxClient) => Promise<Reply>,
): Promise<Reply> {
  const db = await pool.connect();
  let broken = false;
  try {
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
    const settings = [
      ['search_path', searchPath],
      ['role', rq.auth.role],
      ['request.jwt.claims', JSON.stringify(rq.auth.claims)],
      ['request.method', rq.method],
      ['request.path', rq.url.pathname.replace(/^\/rest\/v1/, '')],
      ['request.headers', JSON.stringify(headers)],
      ['request.cookies', JSON.stringify(cookies)],
    ] as const;
    const begin = readOnly ? 'begin isolation level read committed read only' : 'begin isolation level read committed';
    const setConfig = `select ${settings.map(([k], i) => `set_config('${k}', $${i + 1}, true)`).join(', ')}`;
    const setConfigValues = settings.map(([, v]) => v);
    const setupText = inlineParams(`${begin};\n${setConfig}`, setConfigValues);
    const setup = async () => {
      await db.query(begin);
      await db.query(setConfig, setConfigValues);
    };
    let pending = true;
    let committed = false;
    const tx: TxClient = {
      async query(sql, values = [], opts = {}) {
        if (!pending) return db.query(sql, values);
        pending = false;
        const inlined = setupText === null ? null : inlineParams(sql, values);
        if (inlined === null) {
          await setup();
          return db.query(sql, values);
        }
        const results = (await db.query(`${setupText};\n${inlined}${opts.last ? ';\ncommit' : ''}`)) as unknown as pg.QueryResult[];
        committed = Boolean(opts.last);
        return results[results.length - (opts.last ? 2 : 1)]!;
      },
    };
    const reply = await fn(tx);
    if (pending) await setup();
    if (!committed) await db.query('commit');
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
