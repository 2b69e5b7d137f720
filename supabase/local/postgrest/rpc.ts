// /rpc/NAME: POST with JSON arguments by name, GET/HEAD with query arguments (read-only transaction).
// Scalars come back bare, SETOF as an array, void as 204; table-typed results take select/filters/order.
import { RestError } from './errors.ts';
import { contentRange, type Reply, type RestRequest, singular } from './http.ts';
import { applyParams, RESERVED } from './params.ts';
import { parseSelect } from './parse.ts';
import { buildNode, orderSql, Params, projection, q, whereParts } from './query.ts';
import type { Fn } from './schema.ts';
import type { Env } from './service.ts';

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
  const argNames = new Set(fn.args.map((a) => a.name));
  const params = new Params();
  const call = `${q(schema)}.${q(fn.name)}(${fn.args
    .filter((a) => a.name in args)
    .map((a) => `${q(a.name)} => ${params.add(argValue(args[a.name], a.type))}::${a.type}`)
    .join(', ')})`;
  // A table-typed result is filtered and projected like a table read.
  const table = fn.returnTable ? await env.cache.table(fn.schema, fn.returnTable) : undefined;
  const root = table ? await buildNode(env.cache, table, parseSelect(rq.url.searchParams.get('select') ?? '*')) : null;
  const paging = root ? applyParams(root, rq.url, read ? argNames : new Set()) : { limit: undefined, offset: 0 };

  return env.tx(rq, schema, read, async (db) => {
    if (fn.returnsVoid) {
      await db.last(`select ${call}`, params.values);
      return { status: 204, body: null, headers: {} };
    }
    let sql: string;
    if (root) {
      const where = whereParts(root, 't0', params, 0);
      const limit = Math.min(paging.limit ?? env.cfg.maxRows, env.cfg.maxRows);
      const inner = `select ${projection(root, 't0', params, 0)} from ${call} t0${where.length ? ` where ${where.join(' and ')}` : ''}${orderSql(root, 't0', params)}`;
      sql = fn.returnsSet
        ? `select coalesce(json_agg(_p), '[]'::json)::text as body, count(*)::int as n from (${inner} limit ${params.add(limit)} offset ${params.add(paging.offset)}) _p`
        : `select row_to_json(_p)::text as body, 1 as n from (${inner}) _p`;
    } else if (fn.returnsSet) {
      // Rows (TABLE(...), SETOF record/composite) aggregate as objects; SETOF a scalar as bare values.
      const rowsOf = fn.returnKind === 'c' || fn.returnKind === 'p';
      sql = rowsOf
        ? `select coalesce(json_agg(_v), '[]'::json)::text as body, count(*)::int as n from (select * from ${call} _f limit ${params.add(env.cfg.maxRows)}) _v`
        : `select coalesce(json_agg(_v.v), '[]'::json)::text as body, count(*)::int as n from (select _f as v from ${call} _f limit ${params.add(env.cfg.maxRows)}) _v`;
    } else if (fn.returnKind === 'c') {
      sql = `select to_json(_v)::text as body, 1 as n from ${call} _v`;
    } else {
      sql = `select to_json(${call})::text as body, 1 as n`;
    }
    // A singular reply of a set can still fail (406) and must then roll a writing call back.
    const { rows } = fn.returnsSet && rq.singular && !read ? await db.query(sql, params.values) : await db.last(sql, params.values);
    let body: string = rows[0]?.body ?? 'null';
    const n: number = rows[0]?.n ?? 0;
    if (fn.returnsSet && rq.singular) body = singular(body, n);
    const headers = { 'Content-Range': fn.returnsSet ? contentRange(paging.offset, n, null) : '0-0/*' };
    return { status: 200, body, headers };
  });
}

