// One transaction per request on a pool connection: role, search_path and the request.* settings in a single
// set_config select, as PostgREST does (reference §4.1). The reply is built inside and sent only after COMMIT,
// so a client that reacts to the response always sees the committed write.
//
// Round trips: the connection runs in pg's pipeline mode, so BEGIN, the settings and the handler's first query
// go out together, and a handler's `last` query goes out with the COMMIT. The usual request (a read, an RPC, an
// insert) is one round trip to Postgres instead of four; every value is still a bind parameter, each statement
// still has its own Sync. A failed statement aborts the transaction, so the statements behind it fail with
// 25P02 and a pipelined COMMIT turns into a ROLLBACK: the first error is the one reported.
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import type { Reply, RestRequest } from './http.ts';
import { q } from './query.ts';

export interface TxClient {
  /** A statement in the request's transaction. */
  query(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  /**
   * The transaction's last statement, sent with the COMMIT in the same round trip. Only for handlers with no
   * check after it that must roll the write back (reads, and writes whose reply cannot fail).
   */
  last(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
}

type PipelinedClient = pg.PoolClient & { pipeline: boolean; connection: { stream: { cork?(): void; uncork?(): void } } };

export async function inTransaction(
  pool: pg.Pool,
  cfg: StackConfig,
  rq: RestRequest,
  schema: string,
  readOnly: boolean,
  fn: (db: TxClient) => Promise<Reply>,
): Promise<Reply> {
  const db = (await pool.connect()) as PipelinedClient;
  db.pipeline = true;
  const sent: Promise<unknown>[] = [];
  const send = (sql: string, values?: unknown[]) => {
    const p = db.query(sql, values);
    sent.push(p.catch(() => undefined));
    return p;
  };
  let ended = false; // COMMIT (or the ROLLBACK an aborted COMMIT becomes) has been sent
  let broken = false;
  // BEGIN, the settings and the first statement of the handler in one write: the socket stays corked until the
  // handler has issued what it issues synchronously.
  const stream = db.connection.stream;
  stream.cork?.();
  process.nextTick(() => stream.uncork?.());
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
  const prologue = Promise.all([
    send(readOnly ? 'begin isolation level read committed read only' : 'begin isolation level read committed'),
    send(
      `select set_config('search_path', $1, true), set_config('role', $2, true), set_config('request.jwt.claims', $3, true),
              set_config('request.method', $4, true), set_config('request.path', $5, true),
              set_config('request.headers', $6, true), set_config('request.cookies', $7, true)`,
      [searchPath, rq.auth.role, JSON.stringify(rq.auth.claims), rq.method, rq.url.pathname.replace(/^\/rest\/v1/, ''), JSON.stringify(headers), JSON.stringify(cookies)],
    ),
    // `Prefer: timezone=` sets the request's time zone; a name Postgres does not know is ignored, as PostgREST does.
    rq.prefs.timezone
      ? send(`select set_config('timezone', name, true) from pg_catalog.pg_timezone_names where name = $1`, [rq.prefs.timezone])
      : null,
  ]);
  // `Prefer: tx=rollback`: the reply is computed, then the transaction is rolled back (reference §4.4).
  const end = rq.prefs.tx === 'rollback' ? 'rollback' : 'commit';
  const tx: TxClient = {
    query: send,
    async last(sql, values) {
      const result = send(sql, values);
      const commit = send(end);
      ended = true;
      const [r] = await Promise.all([result, commit]);
      return r;
    },
  };
  try {
    let reply: Reply;
    try {
      reply = await fn(tx);
    } catch (err) {
      // A failed BEGIN or settings statement makes every later one fail with 25P02: report the cause.
      const first = await prologue.then(
        () => null,
        (e: unknown) => e,
      );
      throw first ?? err;
    }
    await prologue;
    if (!ended) {
      ended = true;
      await send(end);
    }
    return reply;
  } catch (err) {
    // A transaction still open (or aborted) is rolled back, queued behind what was sent; a pipelined COMMIT has
    // already ended it.
    if (!ended) await db.query('rollback').catch(() => (broken = true));
    throw err;
  } finally {
    await Promise.all(sent);
    db.pipeline = false;
    db.release(broken);
  }
}
