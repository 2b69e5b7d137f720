// GET and HEAD on a table or view: one read-only transaction, one json_agg query (plus a count when asked).
import { RestError } from './errors.ts';
import { contentRange, type Reply, type RestRequest, singular } from './http.ts';
import { applyParams, rangeHeader } from './params.ts';
import { parseSelect } from './parse.ts';
import { buildNode, orderSql, Params, projection, q, whereParts } from './query.ts';
import type { Env } from './service.ts';
import type { TxClient } from './tx.ts';

/**
 * `count=exact` counts; `planned` is the planner's row estimate (EXPLAIN); `estimated` is exact up to max_rows
 * and the estimate beyond, as PostgREST answers them.
 */
async function countRows(db: TxClient, mode: 'exact' | 'planned' | 'estimated', countSql: string, values: unknown[], maxRows: number): Promise<number> {
  const planned = async () => {
    const plan = await db.last(`explain (format json) ${countSql.replace('select count(*)::int as total', 'select 1')}`, values);
    const json = plan.rows[0]['QUERY PLAN'];
    return Math.round((typeof json === 'string' ? JSON.parse(json) : json)[0].Plan['Plan Rows'] as number);
  };
  if (mode === 'planned') return planned();
  const exact = (mode === 'exact' ? await db.last(countSql, values) : await db.query(countSql, values)).rows[0].total as number;
  return mode === 'exact' || exact <= maxRows ? exact : planned();
}

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
      ? await Promise.all([db.query(sql, params.values), countRows(db, rq.prefs.count, countSql, countParams.values, env.cfg.maxRows)])
      : [await db.last(sql, params.values), null];
    const n: number = rows[0].n;
    const total = counted;
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
