// POST (insert, upsert), PATCH and DELETE on a table. Each is one data-modifying CTE `_mut` whose rows are
// returned per `Prefer: return=` (minimal, headers-only, representation).
import { RestError } from './errors.ts';
import { checkAffected, maxAffected, type Reply, type RestRequest, singular } from './http.ts';
import { applyParams } from './params.ts';
import { parseColumnsParam, parseSelect } from './parse.ts';
import { buildNode, type Node, orderSql, Params, projection, q, whereParts } from './query.ts';
import type { Table } from './schema.ts';
import type { Env } from './service.ts';

interface Built {
  ctes: string[];
  /** SQL of `_mut`: the affected rows, as rows of the table. */
  mut: string;
  /** SQL for how many rows were inserted (for a merge upsert that only updated: 200 instead of 201). */
  inserted?: string;
}

function parseJson(rq: RestRequest): unknown {
  try {
    return JSON.parse(rq.body.toString('utf8'));
  } catch {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  }
}

/** A row of the defaults of `cols` (the catalog's SQL for each), for a request row to be laid over. */
function withDefaults(table: Table, cols: string[]): string {
  const pairs = cols.flatMap((c) => {
    const def = table.columns.get(c)?.default;
    return def ? [`'${c.replace(/'/g, "''")}', ${def}`] : [];
  });
  return `jsonb_build_object(${pairs.join(', ')})`;
}

function checkColumns(table: Table, cols: string[]) {
  for (const c of cols) {
    if (!table.columns.has(c)) {
      throw new RestError(400, 'PGRST204', `Could not find the '${c}' column of '${table.name}' in the schema cache`, null, null, {}, true);
    }
  }
}

async function mutate(env: Env, rq: RestRequest, schema: string, table: Table, root: Node, built: Built, params: Params, okStatus: number): Promise<Reply> {
  const ret = rq.prefs.return ?? 'minimal';
  const rep = ret === 'representation';
  const sql = `with ${[...built.ctes, `_mut as (${built.mut})`].join(', ')}
    select coalesce(json_agg(_p), '[]'::json)::text as body, count(*)::int as n${built.inserted ? `, (${built.inserted})::int as inserted` : ''}
    from (select ${rep ? projection(root, 't0', params, 0) : 't0.*'} from _mut t0${rep ? orderSql(root, 't0', params) : ''}) _p`;
  return env.tx(rq, schema, false, async (db) => {
    // A singular reply or max-affected can still fail and must then roll the write back: only then COMMIT separately.
    const guarded = rq.method === 'PATCH' || rq.method === 'DELETE' ? maxAffected(rq.prefs) !== undefined : false;
    const { rows } = rq.singular || guarded ? await db.query(sql, params.values) : await db.last(sql, params.values);
    const n: number = rows[0].n;
    if (guarded) checkAffected(rq.prefs, n);
    const body = rq.singular ? singular(rows[0].body, n) : rows[0].body;
    const headers: Record<string, string> = {
      'Content-Range': rq.method === 'PATCH' && n > 0 ? `0-${n - 1}/${rq.prefs.count ? n : '*'}` : `*/${rq.prefs.count ? n : '*'}`,
    };
    const applied = [rq.prefs.resolution && `resolution=${rq.prefs.resolution}`, rq.prefs.return && `return=${rq.prefs.return}`, rq.prefs.count && `count=${rq.prefs.count}`];
    if (applied.some(Boolean)) headers['Preference-Applied'] = applied.filter(Boolean).join(', ');
    if (ret === 'headers-only' && rq.method === 'POST' && table.pk.length && n > 0) {
      const first = (JSON.parse(rows[0].body) as Record<string, unknown>[])[0]!;
      headers.Location = `/${table.name}?${table.pk.map((c) => `${encodeURIComponent(c)}=eq.${encodeURIComponent(String(first[c]))}`).join('&')}`;
    }
    let status = okStatus;
    if (okStatus === 201 && rq.prefs.resolution === 'merge-duplicates' && rows[0].inserted === 0 && n > 0) status = 200;
    if (rep) return { status: status === 204 ? 200 : status, body, headers };
    return { status, body: null, headers };
  });
}

export async function insert(env: Env, rq: RestRequest, schema: string, name: string): Promise<Reply> {
  const table = await env.table(schema, name);
  const payload = parseJson(rq);
  const rows = Array.isArray(payload) ? payload : [payload];
  if (rows.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) {
    throw new RestError(400, 'PGRST102', 'All object keys must match');
  }
  const columnsParam = rq.url.searchParams.get('columns');
  const root = await buildNode(env.cache, table, parseSelect(rq.url.searchParams.get('select') ?? '*'));
  applyParams(root, rq.url);
  const onConflict = rq.url.searchParams.get('on_conflict');
  const conflictCols = onConflict ? parseColumnsParam(onConflict) : table.pk;
  checkColumns(table, conflictCols);
  // All rows form one INSERT over the request's columns (postgrest-js sends columns=); absent keys are NULL, or
  // with `Prefer: missing=default` the column default, evaluated for every row as PostgREST does (so each row
  // of a bulk insert draws its sequence value, used or not).
  const cols = columnsParam ? parseColumnsParam(columnsParam) : [...new Set((rows as object[]).flatMap((r) => Object.keys(r)))];
  const groups: { cols: string[]; rows: object[] }[] = rows.length ? [{ cols, rows: rows as object[] }] : [];
  for (const g of groups) checkColumns(table, g.cols);
  if (rq.prefs.resolution && !conflictCols.length) {
    throw new RestError(400, 'PGRST100', 'on_conflict requires a primary key or an on_conflict parameter');
  }
  const target = `${q(schema)}.${q(table.name)}`;
  const params = new Params();
  // The columns an upsert sets: all the request names (with `missing=default`, a column a row lacks is set to
  // its default, which `excluded` holds). The conflict columns are set too, so a row holding only them is
  // still returned (PostgREST's DO UPDATE), never dropped by DO NOTHING.
  const allCols = columnsParam ? parseColumnsParam(columnsParam) : [...new Set(groups.flatMap((g) => g.cols))];
  const ctes = groups.map((g, i) => {
    const cols = g.cols.map(q).join(', ');
    let conflict = '';
    if (rq.prefs.resolution) {
      const set = (rq.prefs.missing === 'default' ? allCols : g.cols).map((c) => `${q(c)} = excluded.${q(c)}`);
      const action = rq.prefs.resolution === 'ignore-duplicates' || !set.length ? 'do nothing' : `do update set ${set.join(', ')}`;
      conflict = ` on conflict (${conflictCols.map(q).join(', ')}) ${action}`;
    }
    const body = params.add(JSON.stringify(g.rows));
    const source = !g.cols.length
      ? 'default values'
      : rq.prefs.missing === 'default'
        ? `(${cols}) select ${cols} from jsonb_populate_recordset(null::${target}, (select coalesce(jsonb_agg(${withDefaults(table, g.cols)} || _e), '[]') from jsonb_array_elements(${body}::jsonb) _e))`
        : `(${cols}) select ${cols} from json_populate_recordset(null::${target}, ${body}::json)`;
    // xmax = 0 marks a row this statement inserted (not one an upsert updated).
    return `_g${i} as (insert into ${target} as _t ${source}${conflict} returning _t as _row, (_t.xmax = 0) as _inserted)`;
  });
  const built: Built = ctes.length
    ? {
        ctes,
        mut: groups.map((_, i) => `select (_row).* from _g${i}`).join(' union all '),
        inserted: `select count(*) from (${groups.map((_, i) => `select _inserted from _g${i}`).join(' union all ')}) _i where _inserted`,
      }
    : { ctes: [], mut: `select * from ${target} where false` };
  return mutate(env, rq, schema, table, root, built, params, 201);
}

export async function update(env: Env, rq: RestRequest, schema: string, name: string): Promise<Reply> {
  const table = await env.table(schema, name);
  const payload = parseJson(rq);
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
  const cols = Object.keys(payload);
  checkColumns(table, cols);
  const root = await buildNode(env.cache, table, parseSelect(rq.url.searchParams.get('select') ?? '*'));
  applyParams(root, rq.url);
  const target = `${q(schema)}.${q(table.name)}`;
  const params = new Params();
  const where = whereParts(root, 't0', params, 0);
  // Supabase preloads pg-safeupdate: an UPDATE without a WHERE clause fails with 21000.
  if (!where.length) throw new RestError(400, '21000', 'UPDATE requires a WHERE clause');
  const mut = cols.length
    ? `update ${target} t0 set ${cols.map((c) => `${q(c)} = _r.${q(c)}`).join(', ')}
         from (select * from json_populate_record(null::${target}, ${params.add(JSON.stringify(payload))}::json)) _r
        where ${where.join(' and ')} returning t0.*`
    : `select t0.* from ${target} t0 where false`;
  return mutate(env, rq, schema, table, root, { ctes: [], mut }, params, 204);
}

export async function remove(env: Env, rq: RestRequest, schema: string, name: string): Promise<Reply> {
  const table = await env.table(schema, name);
  const root = await buildNode(env.cache, table, parseSelect(rq.url.searchParams.get('select') ?? '*'));
  applyParams(root, rq.url);
  const target = `${q(schema)}.${q(table.name)}`;
  const params = new Params();
  const where = whereParts(root, 't0', params, 0);
  if (!where.length) throw new RestError(400, '21000', 'DELETE requires a WHERE clause');
  return mutate(env, rq, schema, table, root, { ctes: [], mut: `delete from ${target} t0 where ${where.join(' and ')} returning t0.*` }, params, 204);
}
