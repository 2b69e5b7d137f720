// Applies the query string to a node tree: filters, logic trees, order, paging and embedded-resource modifiers.
import type { IncomingMessage } from 'node:http';
import { RestError } from './errors.ts';
import { header } from './http.ts';
import { parseColumnRef, parseFilter, parseLogic, parseOrder, syntaxError } from './parse.ts';
import { type Embed, findEmbed, type Node } from './query.ts';

/** Query parameters that are not filters. */
export const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'on_conflict', 'columns']);

export function nonNegative(v: string, what: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw syntaxError(`"failed to parse ${what} parameter (${v})"`, `${what} must be a non-negative integer`);
  return n;
}

function notEmbedded(name: string): RestError {
  return new RestError(400, 'PGRST108', `'${name}' is not an embedded resource in this request`, null, `Verify that '${name}' is included in the 'select' query parameter.`);
}

function embedAt(root: Node, path: string): Node {
  const parts = path.split('.');
  const n = findEmbed(root, parts);
  if (!n) {
    // Name the first segment that leads nowhere, as PostgREST does.
    let cur: Node | null = root;
    for (const p of parts) {
      const next: Node | null = cur ? findEmbed(cur, [p]) : null;
      if (!next) throw notEmbedded(p);
      cur = next;
    }
  }
  return n!;
}

function embedNamed(node: Node, name: string): Embed | undefined {
  return node.embeds.find((e) => e.alias === name) ?? node.embeds.find((e) => e.name === name);
}

/** Sets filters, order and embedded modifiers on the tree; returns the root's limit and offset. */
export function applyParams(root: Node, url: URL, skip: Set<string> = new Set()): { limit?: number; offset: number } {
  let limit: number | undefined;
  let offset = 0;
  for (const [key, value] of url.searchParams) {
    if (skip.has(key)) continue;
    if (RESERVED.has(key)) {
      if (key === 'order') root.order = parseOrder(value);
      if (key === 'limit') limit = nonNegative(value, 'limit');
      if (key === 'offset') offset = nonNegative(value, 'offset');
      continue;
    }
    // `or`, `not.or`, `rel.or`, `rel.not.or` (and the same for `and`).
    const logic = /^(?:(.+)\.)?not\.(and|or)$/.exec(key) ?? /^(?:(.+)\.)?(and|or)$/.exec(key);
    if (logic) {
      const target = logic[1] ? embedAt(root, logic[1]) : root;
      target.conds.push(parseLogic(logic[2] as 'and' | 'or', /(^|\.)not\.(and|or)$/.test(key), value));
      continue;
    }
    const mod = /^(.+)\.(order|limit|offset)$/.exec(key);
    if (mod) {
      const target = embedAt(root, mod[1]!);
      if (mod[2] === 'order') target.order = parseOrder(value);
      else if (mod[2] === 'limit') target.limit = nonNegative(value, 'limit');
      else target.offset = nonNegative(value, 'offset');
      continue;
    }
    const arrow = key.search(/->/);
    const head = arrow >= 0 ? key.slice(0, arrow) : key;
    const dot = head.lastIndexOf('.');
    const owner = dot > 0 ? embedAt(root, head.slice(0, dot)) : root;
    const colKey = dot > 0 ? key.slice(dot + 1) : key;
    // `rel=not.is.null` keeps parents that have a match (like !inner); `rel=is.null` keeps those without.
    const embed = arrow < 0 ? embedNamed(owner, colKey) : undefined;
    if (embed && !owner.table.columns.has(colKey)) {
      if (value === 'not.is.null') embed.inner = true;
      else if (value === 'is.null') embed.anti = true;
      else {
        throw new RestError(400, 'PGRST120', `Bad operator on the '${colKey}' embedded resource`, 'Only is null or not is null filters are allowed on embedded resources');
      }
      continue;
    }
    owner.conds.push(parseFilter(parseColumnRef(colKey), value));
  }
  return { limit, offset };
}

/** `Range: 0-9` (or `items=0-9`) as an alternative to limit/offset. */
export function rangeHeader(req: IncomingMessage): { offset: number; limit?: number } | null {
  const r = header(req, 'range');
  const m = r ? /^(?:items=)?(\d+)-(\d*)$/.exec(r.trim()) : null;
  if (!m) return null;
  const from = Number(m[1]);
  if (m[2] && Number(m[2]) < from) {
    throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', 'The lower boundary must be lower than or equal to the upper boundary in the Range header.');
  }
  return { offset: from, limit: m[2] ? Number(m[2]) - from + 1 : undefined };
}
