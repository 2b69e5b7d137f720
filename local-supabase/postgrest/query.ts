// Builds SQL for a PostgREST read: projection with embedded resources (json subqueries), filters, order, paging.
// Identifiers come only from the schema cache (quoted); every value is a bind parameter.
import { RestError } from './errors.ts';
import { type ColumnRef, type Cond, type OrderItem, parseList, type SelectItem, syntaxError } from './parse.ts';
import { type Join, joinConds, resolveEmbed } from './relations.ts';
import type { SchemaCache, Table } from './schema.ts';

export const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

export class Params {
  values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** A table in the query: the root, or an embedded resource. */
export interface Node {
  table: Table;
  select: SelectItem[];
  conds: Cond[];
  order: OrderItem[];
  limit?: number;
  offset?: number;
  embeds: Embed[];
}
export interface Embed {
  name: string;
  alias: string;
  /** `!inner` or `rel=not.is.null`: keep only parents with a match. */
  inner: boolean;
  /** `rel=is.null`: keep only parents without a match. */
  anti?: boolean;
  node: Node;
  /** Join: child columns = parent columns, or through a junction. `many` → array, else object. */
  join: Join;
  many: boolean;
}

export function columnError(table: Table, name: string): RestError {
  return new RestError(400, '42703', `column ${table.name}.${name} does not exist`, null, null, {}, true);
}

export function columnExpr(table: Table, alias: string, ref: ColumnRef, params: Params): string {
  if (!table.columns.has(ref.name)) throw columnError(table, ref.name);
  let expr = `${alias}.${q(ref.name)}`;
  for (const step of ref.path) {
    const key = /^-?\d+$/.test(step.key) ? `${params.add(Number(step.key))}::int` : `${params.add(step.key)}::text`;
    expr = `(${expr}${step.op}${key})`;
  }
  return expr;
}

function outputName(item: Extract<SelectItem, { kind: 'col' }>): string {
  if (item.alias) return item.alias;
  const last = item.ref.path.at(-1);
  return last ? last.key : item.ref.name;
}

/** Builds the Node tree for a select list (resolving embeds recursively). */
export async function buildNode(cache: SchemaCache, table: Table, select: SelectItem[]): Promise<Node> {
  const root = await resolveNode(cache, table, select);
  refuseAfterResolving(root, 1);
  return root;
}

async function resolveNode(cache: SchemaCache, table: Table, select: SelectItem[]): Promise<Node> {
  const node: Node = { table, select, conds: [], order: [], embeds: [] };
  for (const item of select) {
    if (item.kind === 'col' && !table.columns.has(item.ref.name)) throw columnError(table, item.ref.name);
    if (item.kind !== 'embed') continue;
    const { target, join, many } = await resolveEmbed(cache, table, item.name, item.hints);
    node.embeds.push({ name: item.name, alias: item.alias ?? item.name, inner: item.inner, join, many, node: await resolveNode(cache, target, item.select) });
  }
  return node;
}

/** What PostgREST fails on once every relationship is found: spreads (not here) and two embeds sharing a name. */
function refuseAfterResolving(node: Node, depth: number): void {
  const spread = node.select.find((i) => i.kind === 'embed' && i.spread);
  if (spread?.kind === 'embed') throw syntaxError(`"spread embedding is not supported by the local stand-in (${spread.spread})"`);
  const seen = new Set<string>();
  for (const e of node.embeds) {
    // PostgREST names each embed's subquery <table>_<alias or name>_<depth>; Postgres refuses a repeated one.
    if (seen.has(e.alias)) throw new RestError(400, '42712', `table name "${node.table.name}_${e.alias}_${depth}" specified more than once`);
    seen.add(e.alias);
  }
  for (const e of node.embeds) refuseAfterResolving(e.node, depth + 1);
}

export function findEmbed(node: Node, path: string[]): Node | null {
  let cur: Node | undefined = node;
  for (const part of path) {
    cur = cur?.embeds.find((e) => e.alias === part || e.name === part)?.node;
    if (!cur) return null;
  }
  return cur ?? null;
}

function condSql(table: Table, alias: string, cond: Cond, params: Params): string {
  if (cond.kind === 'logic') {
    const parts = cond.items.map((c) => condSql(table, alias, c, params));
    const joined = parts.length ? `(${parts.join(cond.op === 'and' ? ' and ' : ' or ')})` : cond.op === 'and' ? 'true' : 'false';
    return cond.negate ? `not ${joined}` : joined;
  }
  const expr = columnExpr(table, alias, cond.ref, params);
  const v = cond.value;
  let sql: string;
  const cmp: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'like', ilike: 'ilike', match: '~', imatch: '~*', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxl: '&>', nxr: '&<', adj: '-|-' };
  const isText = cond.op === 'like' || cond.op === 'ilike' || cond.op === 'match' || cond.op === 'imatch';
  const lhs = isText ? `${expr}::text` : expr;
  const likeValue = (s: string) => (cond.op === 'like' || cond.op === 'ilike' ? s.replace(/\*/g, '%') : s);
  switch (cond.op) {
    case 'is': {
      const k = v.toLowerCase();
      sql = `${expr} is ${k === 'not_null' ? 'not null' : k}`;
      break;
    }
    case 'isdistinct':
      sql = `${expr} is distinct from ${params.add(v)}`;
      break;
    case 'in': {
      const list = parseList(v);
      sql = `${expr} = any(${params.add(list)})`;
      break;
    }
    case 'fts':
    case 'plfts':
    case 'phfts':
    case 'wfts': {
      const fn = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' }[cond.op];
      const arg = cond.ftsConfig ? `${params.add(cond.ftsConfig)}::regconfig, ${params.add(v)}` : params.add(v);
      sql = `${expr} @@ ${fn}(${arg})`;
      break;
    }
    default: {
      const op = cmp[cond.op]!;
      if (cond.quant) {
        const inner = v.trim();
        if (!inner.startsWith('{') || !inner.endsWith('}')) throw new RestError(400, 'PGRST100', `"failed to parse filter (${cond.op}(${cond.quant}).${v})"`);
        const list = inner.slice(1, -1).split(',').map((x) => likeValue(x.trim().replace(/^"(.*)"$/, '$1')));
        sql = `${lhs} ${op} ${cond.quant}(${params.add(list)}${isText ? '::text[]' : ''})`;
      } else {
        sql = `${lhs} ${op} ${params.add(likeValue(v))}`;
      }
    }
  }
  return cond.negate ? `not (${sql})` : sql;
}

/** WHERE parts for a node: its filters and, for !inner embeds, existence of a matching child. */
export function whereParts(node: Node, alias: string, params: Params, depth: number): string[] {
  const parts = node.conds.map((c) => condSql(node.table, alias, c, params));
  for (const e of node.embeds) {
    if (!e.inner && !e.anti) continue;
    const ca = `t${depth + 1}`;
    const join = joinConds(e.join, ca, alias);
    const inner = [...join, ...whereParts(e.node, ca, params, depth + 1)];
    parts.push(`${e.anti ? 'not ' : ''}exists (select 1 from ${q(e.node.table.schema)}.${q(e.node.table.name)} ${ca} where ${inner.join(' and ')})`);
  }
  return parts;
}

export function orderSql(node: Node, alias: string, params: Params): string {
  if (!node.order.length) return '';
  return ` order by ${node.order
    .map((o) => `${columnExpr(node.table, alias, o.ref, params)} ${o.dir}${o.nulls ? ` nulls ${o.nulls}` : ''}`)
    .join(', ')}`;
}

/** The projection list of a node over `alias`. */
export function projection(node: Node, alias: string, params: Params, depth: number): string {
  const cols: string[] = [];
  let embedIndex = 0;
  for (const item of node.select) {
    if (item.kind === 'star') cols.push(`${alias}.*`);
    else if (item.kind === 'col') {
      const expr = columnExpr(node.table, alias, item.ref, params);
      cols.push(`${item.cast ? `(${expr})::${item.cast}` : expr} as ${q(outputName(item))}`);
    } else {
      const e = node.embeds[embedIndex++]!;
      // An empty embed `rel()` only filters (with !inner); PostgREST leaves it out of the reply.
      if (e.node.select.length) cols.push(`${embedSql(e, alias, params, depth + 1)} as ${q(e.alias)}`);
    }
  }
  if (!cols.length && node.select.length) return '';
  return cols.length ? cols.join(', ') : `${alias}.*`;
}

function embedSql(e: Embed, parentAlias: string, params: Params, depth: number): string {
  const a = `t${depth}`;
  const join = joinConds(e.join, a, parentAlias);
  const where = [...join, ...whereParts(e.node, a, params, depth)];
  const from = `${q(e.node.table.schema)}.${q(e.node.table.name)} ${a}`;
  const paging = `${e.node.limit !== undefined ? ` limit ${params.add(e.node.limit)}` : ''}${e.node.offset ? ` offset ${params.add(e.node.offset)}` : ''}`;
  const inner = `select ${projection(e.node, a, params, depth)} from ${from} where ${where.join(' and ')}${orderSql(e.node, a, params)}`;
  if (e.many) return `(select coalesce(json_agg(_e${depth}), '[]'::json) from (${inner}${paging}) _e${depth})`;
  return `(select row_to_json(_e${depth}) from (${inner} limit 1) _e${depth})`;
}
