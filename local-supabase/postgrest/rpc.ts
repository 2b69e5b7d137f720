// /rpc/NAME: POST with JSON arguments by name, GET/HEAD with query arguments (read-only transaction).
// Scalars come back bare, SETOF as an array, void as 204; row results (a table type, RETURNS TABLE(...), OUT
// arguments, a composite type) take select, filters, order, limit and `Prefer: count`, as PostgREST applies them.
import { RestError } from './errors.ts';
import { checkAffected, contentRange, maxAffected, type Reply, type RestRequest, singular } from './http.ts';
import { applyParams, RESERVED } from './params.ts';
import { parseSelect } from './parse.ts';
import { buildNode, orderSql, Params, projection, q, whereParts } from './query.ts';
import type { Fn, Table } from './schema.ts';
import type { Env } from './service.ts';

/** The table a row result is read as: the table itself, or the function's result columns. */
async function resultTable(env: Env, fn: Fn): Promise<Table | undefined> {
  const real = fn.returnTable ? await env.cache.table(fn.schema, fn.returnTable) : undefined;
  if (real || !fn.resultColumns) return real;
  return { schema: fn.schema, name: fn.name, columns: new Map(fn.resultColumns.map((c) => [c.name, c])), pk: [], uniques: [] };
}

/** An argument's SQL: a JSON object for a row type goes through json_populate_record, as PostgREST converts it. */
function argSql(a: Fn['args'][number], v: unknown, params: Params): string {
  if (a.row === 'record' && v && typeof v === 'object' && !Array.isArray(v)) {
    return `json_populate_record(null::${a.type}, ${params.add(JSON.stringify(v))}::json)`;
  }
  if (a.row === 'array' && Array.isArray(v) && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
    return `array(select _r from json_populate_recordset(null::${a.elemType}, ${params.add(JSON.stringify(v))}::json) _r)::${a.type}`;
  }
  return `${params.add(argValue(v, a.type))}::${a.type}`;
}

function argValue(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'json' || type === 'jsonb') return JSON.stringify(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export async function rpc(env: Env, rq: RestRequest, schema: string, name: string): Promise<Reply> {
  const read = rq.method === 'GET' || rq.method === 'HEAD';
  let args: Record<string, unknown> = {};
  if (read) {
    for (const [k, v] of rq.url.searchParams) if (!RESERVED.has(k)) args[k] = v;
  } else {
    const raw = rq.body.toString('utf8');
    if (raw.trim()) {
      try {
        args = JSON.parse(raw);
      } catch {
        throw new RestError(400, 'PGRST102', 'Empty or invalid json');
      }
      if (!args || typeof args !== 'object' || Array.isArray(args)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
    }
  }
  const fns = await env.cache.functions(schema, name);
  const given = Object.keys(args);
  // GET: query parameters named like an argument are arguments, the others are filters on the result.
  const fn = fns.find((f: Fn) => {
    const names = new Set(f.args.map((a) => a.name));
    const argKeys = read ? given.filter((k) => names.has(k)) : given;
    return argKeys.every((k) => names.has(k)) && f.args.every((a) => a.hasDefault || argKeys.includes(a.name));
  });
  if (!fn) {
    const list = [...given].sort();
    throw new RestError(
      404,
      'PGRST202',
      `Could not find the function ${schema}.${name}${list.length ? `(${list.join(', ')})` : ' without parameters'} in the schema cache`,
      `Searched for the function ${schema}.${name}${list.length ? ` with parameter${list.length > 1 ? 's' : ''} ${list.join(', ')}` : ' without parameters'}${read ? '' : ' or with a single unnamed json/jsonb parameter'}, but no matches were found in the schema cache.`,
      null,
      {},
      true,
    );
  }
  const guarded = maxAffected(rq.prefs) !== undefined;
  if (guarded && !fn.returnsSet) {
    throw new RestError(400, 'PGRST128', 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict');
  }
  const argNames = new Set(fn.args.map((a) => a.name));
  const params = new Params();
  const call = `${q(schema)}.${q(fn.name)}(${fn.args
    .filter((a) => a.name in args)
    .map((a) => `${q(a.name)} => ${argSql(a, args[a.name], params)}`)
    .join(', ')})`;
  // A table-typed result is filtered and projected like a table read.
  const table = fn.returnKind === 'c' || fn.returnKind === 'p' || fn.returnsTable ? await resultTable(env, fn) : undefined;
  const root = table ? await buildNode(env.cache, table, parseSelect(rq.url.searchParams.get('select') ?? '*')) : null;
  const paging = root ? applyParams(root, rq.url, read ? argNames : new Set()) : { limit: undefined, offset: 0 };

  return env.tx(rq, schema, read, async (db) => {
    if (fn.returnsVoid) {
      await db.last(`select ${call}`, params.values);
      return { status: 204, body: null, headers: {} };
    }
    let sql: string;
    const counting = Boolean(rq.prefs.count);
    if (root) {
      const where = whereParts(root, 't0', params, 0);
      const limit = fn.returnsSet ? Math.min(paging.limit ?? env.cfg.maxRows, env.cfg.maxRows) : null;
      const offset = fn.returnsSet ? paging.offset : 0;
      // The call runs once: its filtered rows are numbered in order, then paged and counted.
      const inner = `select ${projection(root, 't0', params, 0)} from ${call} t0${where.length ? ` where ${where.join(' and ')}` : ''}${orderSql(root, 't0', params)}`;
      const all = `_all as materialized (select row_to_json(_q) as j, row_number() over () as rn from (${inner}) _q)`;
      const page = `select j, rn from _all order by rn${limit !== null ? ` limit ${params.add(limit)}` : ''} offset ${params.add(offset)}`;
      const agg = fn.returnsSet ? `coalesce(json_agg(_p.j order by _p.rn), '[]'::json)::text` : `(array_agg(_p.j))[1]::text`;
      sql = `with ${all} select ${agg} as body, count(*)::int as n, (select count(*)::int from _all) as total from (${page}) _p`;
    } else if (fn.returnsSet) {
      // SETOF a scalar (or of an undescribed record): bare values or objects, with no select to apply.
      const rowsOf = fn.returnKind === 'c' || fn.returnKind === 'p';
      sql = rowsOf
        ? `select coalesce(json_agg(_v), '[]'::json)::text as body, count(*)::int as n, count(*)::int as total from (select * from ${call} _f limit ${params.add(env.cfg.maxRows)}) _v`
        : `select coalesce(json_agg(_v.v), '[]'::json)::text as body, count(*)::int as n, count(*)::int as total from (select _f as v from ${call} _f limit ${params.add(env.cfg.maxRows)}) _v`;
    } else if (fn.returnKind === 'c') {
      sql = `select to_json(_v)::text as body, 1 as n, 1 as total from ${call} _v`;
    } else {
      sql = `select to_json(${call})::text as body, 1 as n, 1 as total`;
    }
    // A singular reply of a set can still fail (406) and must then roll a writing call back.
    const { rows } = fn.returnsSet && (rq.singular || guarded) && !read ? await db.query(sql, params.values) : await db.last(sql, params.values);
    let body: string = rows[0]?.body ?? 'null';
    const n: number = rows[0]?.n ?? 0;
    const total: number | null = counting ? (rows[0]?.total ?? 0) : null;
    if (fn.returnsSet && rq.singular) body = singular(body, n);
    if (guarded) checkAffected(rq.prefs, n);
    const offset = root && fn.returnsSet ? paging.offset : 0;
    const headers: Record<string, string> = { 'Content-Range': contentRange(offset, fn.returnsSet ? n : 1, total) };
    if (counting) headers['Preference-Applied'] = `count=${rq.prefs.count}`;
    return { status: total !== null && n < total ? 206 : 200, body, headers };
  });
}

