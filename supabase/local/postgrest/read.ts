// GET and HEAD on a table or view: one read-only transaction, one json_agg query (plus a count when asked).
import { RestError } from './errors.ts';
import { contentRange, type Reply, type RestRequest, singular } from './http.ts';
import { applyParams, rangeHeader } from './params.ts';
import { parseSelect } from './parse.ts';
import { buildNode, orderSql, Params, projection, q, whereParts } from './query.ts';
import type { Env } from './service.ts';

export async function read(env: Env, rq: RestRequest, schema: string, name: string): Promise<Reply> {
  const table = await env.table(schema, name);
  const root = await buildNode(env.cache, table, parseSelect(rq.url.searchParams.get('select') ?? '*'));
  const paging = applyParams(root, rq.url);
  const range = rangeHeader(rq.req);
  const offset = rq.url.searchParams.has('offset') ? paging.offset : (range?.offset ?? 0);
  // Supabase's max_rows silently caps every result.
  const limit = Math.min(paging.limit ?? range?.limit ?? env.cfg.maxRows, env.cfg.maxRows);
  const from = `${q(schema)}.${q(table.name)} t0`;

  const params = new Params();
  const where = whereParts(root, 't0', params, 0);
  const whereSql = where.length ? ` where ${where.join(' and ')}` : '';
  const sql = `select coalesce(json_agg(_p), '[]'::json)::text as body, count(*)::int as n
    from (select ${projection(root, 't0', params, 0)} from ${from}${whereSql}${orderSql(root, 't0', params)}
          limit ${params.add(limit)} offset ${params.add(offset)}) _p`;
  const countParams = new Params();
  const countWhere = whereParts(root, 't0', countParams, 0);
  const countSql = `select count(*)::int as total from ${from}${countWhere.length ? ` where ${countWhere.join(' and ')}` : ''}`;

  return env.tx(rq, schema, true, async (db) => {
    // Read-only: both statements go out with the COMMIT, whatever is checked after them.
    const [{ rows }, counted] = rq.prefs.count
      ? await Promise.all([db.query(sql, params.values), db.last(countSql, countParams.values)])
      : [await db.last(sql, params.values), null];
    const n: number = rows[0].n;
    const total = counted ? (counted.rows[0].total as number) : null;
    if (total !== null && offset > total) {
      throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`, null, {
        'Content-Range': `*/${total}`,
      });
    }
    const body = rq.singular ? singular(rows[0].body, n) : rows[0].body;
    const status = total !== null && n < total ? 206 : 200;
    const headers: Record<string, string> = { 'Content-Range': contentRange(offset, n, total) };
    if (rq.prefs.count) headers['Preference-Applied'] = `count=${rq.prefs.count}`;
    return { status, body, headers };
  });
}
