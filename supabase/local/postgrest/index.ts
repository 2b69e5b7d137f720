// The /rest/v1 service: the PostgREST subset postgrest-js sends (reference §4). Each request is one
// transaction run as the JWT's role with request.jwt.claims set, so grants and RLS decide.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { readBody, type ServiceFactory, type StackContext } from '../context.ts';
import { JwtError, verifyJwt, type Claims } from '../jwt.ts';
import { RestError, fromPgError } from './errors.ts';
import { parseColumnRef, parseColumnsParam, parseFilter, parseLogic, parseOrder, parseSelect, syntaxError } from './parse.ts';
import { type Node, Params, buildNode, findEmbed, orderSql, projection, q, whereParts } from './query.ts';
import { type Fn, SchemaCache, type Table } from './schema.ts';

const SINGULAR = 'application/vnd.pgrst.object+json';
const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'on_conflict', 'columns']);

interface Prefs {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: string;
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
}

function parsePrefer(h: string | string[] | undefined): Prefs {
  const prefs: Prefs = {};
  for (const part of (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',')) {
    const [k, v] = part.trim().split('=');
    if (k === 'return' && (v === 'minimal' || v === 'representation' || v === 'headers-only')) prefs.return = v;
    else if (k === 'count' && v) prefs.count = v;
    else if (k === 'resolution' && (v === 'merge-duplicates' || v === 'ignore-duplicates')) prefs.resolution = v;
    else if (k === 'missing' && (v === 'default' || v === 'null')) prefs.missing = v;
  }
  return prefs;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export const createRestService: ServiceFactory = (ctx: StackContext) => {
  const { cfg, pool } = ctx;
  const cache = new SchemaCache(pool, cfg.exposedSchemas);

  // Reload the cache on NOTIFY pgrst, as PostgREST does.
  let listener: pg.PoolClient | null = null;
  pool
    .connect()
    .then(async (c) => {
      listener = c;
      c.on('notification', () => void cache.reload(true));
      c.on('error', () => undefined);
      await c.query('listen pgrst');
    })
    .catch(() => undefined);

  async function authenticate(req: IncomingMessage): Promise<{ role: string; claims: Claims }> {
    const auth = header(req, 'authorization');
    const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
    if (!m) return { role: 'anon', claims: { role: 'anon' } };
    let claims: Claims;
    try {
      claims = await verifyJwt(cfg.jwtSecret, m[1]!);
    } catch (err) {
      const wa = (desc: string) => ({ 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${desc}"` });
      if (err instanceof JwtError && err.kind === 'expired') throw new RestError(401, 'PGRST303', 'JWT expired', null, null, wa('JWT expired'));
      const msg = err instanceof JwtError && err.kind === 'malformed' ? 'Expected 3 parts in JWT; got 1' : 'JWSError JWSInvalidSignature';
      throw new RestError(401, 'PGRST301', msg, null, null, wa(msg));
    }
    const role = typeof claims.role === 'string' ? claims.role : 'anon';
    await cache.ensure();
    if (!cache.roles.has(role)) {
      await cache.reload();
      if (!cache.roles.has(role)) throw new RestError(401, '22023', `role "${role}" does not exist`);
    }
    return { role, claims: { ...claims, role } };
  }

  function schemaOf(req: IncomingMessage, read: boolean): string {
    const profile = header(req, read ? 'accept-profile' : 'content-profile');
    const schema = profile ?? cfg.exposedSchemas[0]!;
    if (!cfg.exposedSchemas.includes(schema)) {
      throw new RestError(406, 'PGRST106', `Invalid schema: ${schema}`, null, `Only the following schemas are exposed: ${cfg.exposedSchemas.join(', ')}`);
    }
    return schema;
  }

  async function tableOf(schema: string, name: string): Promise<Table> {
    const t = await cache.table(schema, name);
    if (!t) {
      throw new RestError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null, null);
    }
    return t;
  }

  /** Applies query parameters (filters, order, paging, embedded modifiers) to the node tree. */
  function applyParams(root: Node, url: URL, skip: Set<string> = new Set()): { limit?: number; offset: number } {
    let limit: number | undefined;
    let offset = 0;
    for (const [key, value] of url.searchParams) {
      if (RESERVED.has(key) || skip.has(key)) {
        if (key === 'order') root.order = parseOrder(value);
        if (key === 'limit') limit = nonNegative(value, 'limit');
        if (key === 'offset') offset = nonNegative(value, 'offset');
        continue;
      }
      const logic = /^(?:(.+)\.)?(not\.)?(and|or)$/.exec(key);
      if (logic) {
        const target = logic[1] ? embedOrFail(root, logic[1]) : root;
        target.conds.push(parseLogic(logic[3] as 'and' | 'or', Boolean(logic[2]), value));
        continue;
      }
      const mod = /^(.+)\.(order|limit|offset)$/.exec(key);
      if (mod && findEmbed(root, mod[1]!.split('.'))) {
        const target = embedOrFail(root, mod[1]!);
        if (mod[2] === 'order') target.order = parseOrder(value);
        else if (mod[2] === 'limit') target.limit = nonNegative(value, 'limit');
        else target.offset = nonNegative(value, 'offset');
        continue;
      }
      const arrow = key.search(/->/);
      const head = arrow >= 0 ? key.slice(0, arrow) : key;
      const dot = head.lastIndexOf('.');
      if (dot > 0) {
        const target = embedOrFail(root, head.slice(0, dot));
        target.conds.push(parseFilter(parseColumnRef(key.slice(dot + 1)), value));
        continue;
      }
      root.conds.push(parseFilter(parseColumnRef(key), value));
    }
    return { limit, offset };
  }

  function embedOrFail(root: Node, path: string): Node {
    const n = findEmbed(root, path.split('.'));
    if (!n) throw syntaxError(`"failed to parse filter (${path})"`, `"${path}" is not an embedded resource in this request`);
    return n;
  }

  function nonNegative(v: string, what: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw syntaxError(`"failed to parse ${what} parameter (${v})"`);
    return n;
  }

  function rangeHeader(req: IncomingMessage): { offset: number; limit?: number } | null {
    const r = header(req, 'range');
    const m = r ? /^(?:items=)?(\d+)-(\d*)$/.exec(r.trim()) : null;
    if (!m) return null;
    const from = Number(m[1]);
    return { offset: from, limit: m[2] ? Number(m[2]) - from + 1 : undefined };
  }

  async function withTx<T>(
    req: IncomingMessage,
    url: URL,
    auth: { role: string; claims: Claims },
    schema: string,
    readOnly: boolean,
    fn: (db: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    const db = await pool.connect();
    try {
      await db.query(readOnly ? 'begin isolation level read committed read only' : 'begin');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      const cookies: Record<string, string> = {};
      for (const part of (headers.cookie ?? '').split(';')) {
        const i = part.indexOf('=');
        if (i > 0) cookies[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
      }
      try {
        await db.query(
          `select set_config('search_path', $1, true), set_config('role', $2, true), set_config('request.jwt.claims', $3, true),
                  set_config('request.method', $4, true), set_config('request.path', $5, true),
                  set_config('request.headers', $6, true), set_config('request.cookies', $7, true)`,
          [
            [schema, ...cfg.extraSearchPath.filter((s) => s !== schema)].map((s) => q(s)).join(', '),
            auth.role,
            JSON.stringify(auth.claims),
            req.method,
            url.pathname.replace(/^\/rest\/v1/, ''),
            JSON.stringify(headers),
            JSON.stringify(cookies),
          ],
        );
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code === '22023' || e.code === '42704') throw new RestError(401, '22023', e.message ?? 'role does not exist');
        throw err;
      }
      const out = await fn(db);
      await db.query('commit');
      return out;
    } catch (err) {
      await db.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }

  function contentRange(offset: number, n: number, total: number | null): string {
    const t = total === null ? '*' : String(total);
    return n > 0 ? `${offset}-${offset + n - 1}/${t}` : `*/${t}`;
  }

  function send(res: ServerResponse, status: number, body: string | null, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (body !== null) h['Content-Type'] = 'application/json; charset=utf-8';
    res.writeHead(status, h);
    res.end(body ?? '');
  }

  /** One JSON object for Accept: vnd.pgrst.object+json, or 406 (the transaction is rolled back). */
  function singular(body: string, n: number): string {
    if (n !== 1) {
      throw new RestError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${n} rows`);
    }
    const arr = JSON.parse(body) as unknown[];
    return JSON.stringify(arr[0]);
  }

  async function read(req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
    const auth = await authenticate(req);
    const schema = schemaOf(req, true);
    const table = await tableOf(schema, name);
    const root = await buildNode(cache, table, parseSelect(url.searchParams.get('select') ?? '*'));
    const paging = applyParams(root, url);
    const range = rangeHeader(req);
    const offset = paging.offset || range?.offset || 0;
    const limit = Math.min(paging.limit ?? range?.limit ?? cfg.maxRows, cfg.maxRows);
    const prefs = parsePrefer(req.headers.prefer);
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

    const singularAccept = header(req, 'accept')?.includes(SINGULAR);
    await withTx(req, url, auth, schema, true, async (db) => {
      const { rows } = await db.query(sql, params.values);
      const n: number = rows[0].n;
      const total = prefs.count ? ((await db.query(countSql, countParams.values)).rows[0].total as number) : null;
      if (total !== null && offset > 0 && offset >= total) {
        throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`);
      }
      const body = singularAccept ? singular(rows[0].body, n) : rows[0].body;
      const status = total !== null && n < total ? 206 : 200;
      send(res, status, req.method === 'HEAD' ? null : body, { 'Content-Range': contentRange(offset, n, total), 'Range-Unit': 'items' });
    });
  }

  async function parseJsonBody(req: IncomingMessage): Promise<unknown> {
    const raw = (await readBody(req)).toString('utf8');
    try {
      return JSON.parse(raw);
    } catch {
      throw new RestError(400, 'PGRST102', 'Empty or invalid json');
    }
  }

  function checkColumns(table: Table, cols: string[]) {
    for (const c of cols) {
      if (!table.columns.has(c)) throw new RestError(400, 'PGRST204', `Could not find the '${c}' column of '${table.name}' in the schema cache`);
    }
  }

  /** Runs a write (CTE `_mut` returning rows) and answers per Prefer: return. */
  async function write(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    schema: string,
    table: Table,
    auth: { role: string; claims: Claims },
    build: (params: Params, root: Node) => string | { ctes: string[]; mut: string },
    root: Node,
    okStatus: number,
  ) {
    const prefs = parsePrefer(req.headers.prefer);
    const ret = prefs.return ?? 'minimal';
    const params = new Params();
    const built = build(params, root);
    const { ctes, mut } = typeof built === 'string' ? { ctes: [], mut: built } : built;
    const sql = `with ${[...ctes, `_mut as (${mut})`].join(', ')}
      select coalesce(json_agg(_p), '[]'::json)::text as body, count(*)::int as n
      from (select ${ret === 'representation' ? projection(root, 't0', params, 0) : 't0.*'} from _mut t0${ret === 'representation' ? orderSql(root, 't0', params) : ''}) _p`;
    const singularAccept = header(req, 'accept')?.includes(SINGULAR);
    await withTx(req, url, auth, schema, false, async (db) => {
      const { rows } = await db.query(sql, params.values);
      const n: number = rows[0].n;
      const body = singularAccept ? singular(rows[0].body, n) : rows[0].body;
      const headers: Record<string, string> = {
        'Content-Range': req.method === 'PATCH' && n > 0 ? `0-${n - 1}/*` : prefs.count ? `*/${n}` : '*/*',
      };
      if (prefs.return) headers['Preference-Applied'] = `return=${prefs.return}`;
      if (ret === 'headers-only' && req.method === 'POST' && table.pk.length && n > 0) {
        const first = (JSON.parse(rows[0].body) as Record<string, unknown>[])[0]!;
        headers.Location = `/${table.name}?${table.pk.map((c) => `${c}=eq.${String(first[c])}`).join('&')}`;
      }
      if (ret === 'representation') send(res, okStatus === 204 ? 200 : okStatus, body, headers);
      else send(res, okStatus, null, headers);
    });
  }

  async function insert(req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
    const auth = await authenticate(req);
    const schema = schemaOf(req, false);
    const table = await tableOf(schema, name);
    const payload = await parseJsonBody(req);
    const rows = Array.isArray(payload) ? payload : [payload];
    if (rows.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) throw new RestError(400, 'PGRST102', 'All object keys must match');
    const prefs = parsePrefer(req.headers.prefer);
    const columnsParam = url.searchParams.get('columns');
    const root = await buildNode(cache, table, parseSelect(url.searchParams.get('select') ?? '*'));
    applyParams(root, url);
    const onConflict = url.searchParams.get('on_conflict');
    const conflictCols = onConflict ? parseColumnsParam(onConflict) : table.pk;
    checkColumns(table, conflictCols);
    // Groups of rows sharing a column list: one group unless Prefer missing=default keeps each row's own keys.
    let groups: { cols: string[]; rows: object[] }[];
    if (prefs.missing === 'default') {
      const byKey = new Map<string, { cols: string[]; rows: object[] }>();
      for (const r of rows) {
        const cols = Object.keys(r as object).sort();
        const k = cols.join('\u0000');
        byKey.set(k, byKey.get(k) ?? { cols, rows: [] });
        byKey.get(k)!.rows.push(r as object);
      }
      groups = [...byKey.values()];
    } else {
      const cols = columnsParam ? parseColumnsParam(columnsParam) : [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
      groups = [{ cols, rows: rows as object[] }];
    }
    for (const g of groups) checkColumns(table, g.cols);
    const target = `${q(schema)}.${q(table.name)}`;
    await write(
      req,
      res,
      url,
      schema,
      table,
      auth,
      (params) => {
        const parts = groups.map((g) => {
          const cols = g.cols.map(q).join(', ');
          if (!g.cols.length) return `insert into ${target} default values returning *`;
          let conflict = '';
          if (prefs.resolution) {
            if (!conflictCols.length) throw new RestError(400, 'PGRST100', 'on_conflict requires a primary key or an on_conflict parameter');
            const set = g.cols.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ');
            conflict = ` on conflict (${conflictCols.map(q).join(', ')}) ${prefs.resolution === 'ignore-duplicates' || !set ? 'do nothing' : `do update set ${set}`}`;
          }
          return `insert into ${target} (${cols}) select ${cols} from json_populate_recordset(null::${target}, ${params.add(JSON.stringify(g.rows))}::json)${conflict} returning *`;
        });
        if (parts.length === 1) return parts[0]!;
        // Rows with different key sets (Prefer: missing=default): one data-modifying CTE per group.
        return { ctes: parts.map((p, i) => `_g${i} as (${p})`), mut: parts.map((_, i) => `select * from _g${i}`).join(' union all ') };
      },
      root,
      201,
    );
  }

  async function update(req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
    const auth = await authenticate(req);
    const schema = schemaOf(req, false);
    const table = await tableOf(schema, name);
    const payload = await parseJsonBody(req);
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
    const cols = Object.keys(payload);
    checkColumns(table, cols);
    const root = await buildNode(cache, table, parseSelect(url.searchParams.get('select') ?? '*'));
    applyParams(root, url);
    if (!root.conds.length) throw new RestError(400, '21000', 'UPDATE requires a WHERE clause', null, null);
    const target = `${q(schema)}.${q(table.name)}`;
    await write(
      req,
      res,
      url,
      schema,
      table,
      auth,
      (params) => {
        const where = whereParts(root, 't0', params, 0);
        if (!cols.length) return `select t0.* from ${target} t0 where false`;
        const set = cols.map((c) => `${q(c)} = _r.${q(c)}`).join(', ');
        return `update ${target} t0 set ${set} from (select * from json_populate_record(null::${target}, ${params.add(JSON.stringify(payload))}::json)) _r where ${where.join(' and ')} returning t0.*`;
      },
      root,
      204,
    );
  }

  async function remove(req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
    const auth = await authenticate(req);
    const schema = schemaOf(req, false);
    const table = await tableOf(schema, name);
    const root = await buildNode(cache, table, parseSelect(url.searchParams.get('select') ?? '*'));
    applyParams(root, url);
    if (!root.conds.length) throw new RestError(400, '21000', 'DELETE requires a WHERE clause', null, null);
    const target = `${q(schema)}.${q(table.name)}`;
    await write(req, res, url, schema, table, auth, (params) => `delete from ${target} t0 where ${whereParts(root, 't0', params, 0).join(' and ')} returning t0.*`, root, 204);
  }

  function argValue(v: unknown, type: string): unknown {
    if (v === null || v === undefined) return null;
    if (type === 'json' || type === 'jsonb') return JSON.stringify(v);
    if (Array.isArray(v)) return v;
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  async function rpc(req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
    const auth = await authenticate(req);
    const read = req.method === 'GET' || req.method === 'HEAD';
    const schema = schemaOf(req, read);
    const fns = await cache.functions(schema, name);
    let args: Record<string, unknown> = {};
    if (read) {
      for (const [k, v] of url.searchParams) args[k] = v;
    } else {
      const raw = (await readBody(req)).toString('utf8');
      if (raw.trim()) {
        try {
          args = JSON.parse(raw);
        } catch {
          throw new RestError(400, 'PGRST102', 'Empty or invalid json');
        }
        if (!args || typeof args !== 'object' || Array.isArray(args)) throw new RestError(400, 'PGRST102', 'Empty or invalid json');
      }
    }
    const keysFor = (fn: Fn) => new Set(fn.args.map((a) => a.name));
    const given = Object.keys(args);
    const fn = fns.find((f) => {
      const names = keysFor(f);
      const argKeys = read ? given.filter((k) => names.has(k)) : given;
      return argKeys.every((k) => names.has(k)) && f.args.every((a) => a.hasDefault || argKeys.includes(a.name));
    });
    if (!fn) {
      const list = read ? given.filter((k) => !RESERVED.has(k)) : given;
      throw new RestError(
        404,
        'PGRST202',
        `Could not find the function ${schema}.${name}${list.length ? `(${[...list].sort().join(', ')})` : ' without parameters'} in the schema cache`,
        `Searched for the function ${schema}.${name}${list.length ? ` with parameters ${[...list].sort().join(', ')}` : ' without parameters'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
        null,
      );
    }
    const argNames = new Set(fn.args.map((a) => a.name));
    const params = new Params();
    const call = `${q(schema)}.${q(fn.name)}(${fn.args
      .filter((a) => a.name in args)
      .map((a) => `${q(a.name)} => ${params.add(argValue(args[a.name], a.type))}::${a.type}`)
      .join(', ')})`;
    const singularAccept = header(req, 'accept')?.includes(SINGULAR);
    await withTx(req, url, auth, schema, read, async (db) => {
      if (fn.returnsVoid) {
        await db.query(`select ${call}`, params.values);
        send(res, 204, null);
        return;
      }
      let body: string;
      let n = 1;
      if (fn.returnTable || fn.returnsSet) {
        const table = fn.returnTable ? await cache.table(fn.schema, fn.returnTable) : undefined;
        if (table) {
          const root = await buildNode(cache, table, parseSelect(url.searchParams.get('select') ?? '*'));
          applyParams(root, url, argNames);
          const where = whereParts(root, 't0', params, 0);
          const inner = `select ${projection(root, 't0', params, 0)} from ${call} t0${where.length ? ` where ${where.join(' and ')}` : ''}${orderSql(root, 't0', params)}`;
          const limit = url.searchParams.get('limit');
          const { rows } = await db.query(
            fn.returnsSet
              ? `select coalesce(json_agg(_p), '[]'::json)::text as body, count(*)::int as n from (${inner}${limit ? ` limit ${params.add(nonNegative(limit, 'limit'))}` : ''}) _p`
              : `select row_to_json(_p)::text as body, 1 as n from (${inner}) _p`,
            params.values,
          );
          body = rows[0]?.body ?? 'null';
          n = rows[0]?.n ?? 0;
          if (fn.returnsSet && singularAccept) body = singular(body, n);
        } else {
          const { rows } = await db.query(`select coalesce(json_agg(_v), '[]'::json)::text as body, count(*)::int as n from ${call} _v`, params.values);
          body = rows[0].body;
          n = rows[0].n;
          if (singularAccept) body = singular(body, n);
        }
      } else {
        const { rows } = await db.query(`select to_json(${call})::text as body`, params.values);
        body = rows[0].body ?? 'null';
      }
      send(res, 200, req.method === 'HEAD' ? null : body, { 'Content-Range': fn.returnsSet ? contentRange(0, n, null) : '0-0/*' });
    });
  }

  return {
    async handle(req, res, path, url) {
      let role = 'anon';
      try {
        const m = /^\/(rpc\/)?([^/]+)\/?$/.exec(path);
        if (path === '/' || path === '') {
          send(res, 200, JSON.stringify({ swagger: '2.0', info: { title: 'Porchlight local PostgREST', version: '14' }, paths: {} }));
          return;
        }
        if (!m) throw new RestError(404, 'PGRST125', `Invalid path specified in request URL`);
        const name = decodeURIComponent(m[2]!);
        const method = req.method ?? 'GET';
        role = (await authenticate(req).catch(() => ({ role: 'anon' }))).role;
        if (m[1]) {
          if (!['GET', 'HEAD', 'POST'].includes(method)) throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
          return await rpc(req, res, url, name);
        }
        if (method === 'GET' || method === 'HEAD') return await read(req, res, url, name);
        if (method === 'POST') return await insert(req, res, url, name);
        if (method === 'PATCH') return await update(req, res, url, name);
        if (method === 'DELETE') return await remove(req, res, url, name);
        if (method === 'PUT') throw new RestError(405, 'PGRST117', 'Unsupported HTTP method: PUT');
        throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
      } catch (err) {
        const e = err instanceof RestError ? err : fromPgError(err, role);
        if (!(err instanceof RestError) && !(err as { code?: string }).code) ctx.log('rest', `unexpected: ${(err as Error).stack}`);
        if (res.headersSent) {
          res.end();
          return;
        }
        send(res, e.status, JSON.stringify(e.body()), e.headers);
      }
    },
    async close() {
      listener?.release(true);
    },
  };
};
