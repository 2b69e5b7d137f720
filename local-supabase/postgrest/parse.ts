// Parsers for PostgREST's query language: select lists, filters, logic trees, order (reference §4.3).
import { RestError } from './errors.ts';

export interface JsonStep {
  op: '->' | '->>';
  key: string;
}
export interface ColumnRef {
  name: string;
  path: JsonStep[];
}
export type SelectItem =
  | { kind: 'star' }
  | { kind: 'col'; alias?: string; ref: ColumnRef; cast?: string }
  | { kind: 'embed'; alias?: string; name: string; hints: string[]; inner: boolean; select: SelectItem[]; spread?: string };

export type Cond =
  | { kind: 'filter'; ref: ColumnRef; negate: boolean; op: string; quant?: 'any' | 'all'; ftsConfig?: string; value: string }
  | { kind: 'logic'; op: 'and' | 'or'; negate: boolean; items: Cond[] };

export interface OrderItem {
  ref: ColumnRef;
  dir: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

export const syntaxError = (message: string, details: string | null = null) => new RestError(400, 'PGRST100', message, details);

/** Splits on commas that are not inside parentheses, array braces `{a,b}` or double quotes. */
export function splitTopLevel(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let braces = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"' && s[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && ch === '{') braces++;
    else if (!quoted && ch === '}' && braces > 0) braces--;
    if (!quoted && braces === 0) {
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      if (depth < 0) throw syntaxError(`"failed to parse" (${s})`, `unexpected ")"`);
      if (ch === sep && depth === 0) {
        out.push(cur);
        cur = '';
        continue;
      }
    }
    cur += ch;
  }
  if (depth !== 0 || quoted) throw syntaxError(`"failed to parse" (${s})`, 'unbalanced parentheses or quotes');
  out.push(cur);
  return out;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$ ]*$/;

export function parseColumnRef(raw: string): ColumnRef {
  const s = raw.trim();
  const parts = s.split(/(->>|->)/);
  const name = unquote(parts[0]!);
  if (!name || (!IDENT.test(name) && !/^".*"$/.test(parts[0]!.trim()))) throw syntaxError(`"failed to parse select parameter (${raw})"`);
  const path: JsonStep[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const key = unquote(parts[i + 1] ?? '');
    if (!key) throw syntaxError(`"failed to parse json path (${raw})"`);
    path.push({ op: parts[i] as '->' | '->>', key });
  }
  return { name, path };
}

export function parseSelect(raw: string): SelectItem[] {
  if (!raw.trim()) return [{ kind: 'star' }];
  return splitTopLevel(raw).map((part) => parseSelectItem(part.trim(), raw));
}

function parseSelectItem(item: string, whole: string): SelectItem {
  if (!item) throw syntaxError(`"failed to parse select parameter (${whole})"`, 'empty select item');
  if (item === '*') return { kind: 'star' };
  let alias: string | undefined;
  let rest = item;
  // alias:field — but not the :: of a cast
  const m = /^([^:()"]+|"[^"]+"):(?!:)(.*)$/s.exec(item);
  if (m) {
    alias = unquote(m[1]!);
    rest = m[2]!.trim();
  }
  const paren = rest.indexOf('(');
  if (paren > 0 && rest.endsWith(')')) {
    let head = rest.slice(0, paren).trim();
    const inside = rest.slice(paren + 1, -1);
    // A spread `...rel(cols)` is resolved like an embed (so an unknown relationship is PGRST200), then refused.
    const spread = head.startsWith('...') ? item : undefined;
    if (spread) head = head.slice(3);
    // Aggregates (`count()`, `col.sum()`) are off on hosted projects (db-aggregates-enabled = false): refused alike.
    if (!inside.trim() && /^(?:.+\.)?(count|sum|avg|max|min)$/.test(head)) throw new RestError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
    const pieces = head.split('!');
    head = unquote(pieces[0]!);
    const hints = pieces.slice(1).filter((h) => h !== 'inner' && h !== 'left');
    const inner = pieces.includes('inner');
    if (!head) throw syntaxError(`"failed to parse select parameter (${whole})"`);
    // `rel()` selects nothing: the embed is left out of the reply (it may still filter with !inner).
    const select = inside.trim() ? parseSelect(inside) : [];
    return { kind: 'embed', alias, name: head, hints, inner, select, ...(spread ? { spread } : {}) };
  }
  if (rest.includes('(') || rest.includes(')')) throw syntaxError(`"failed to parse select parameter (${whole})"`);
  let cast: string | undefined;
  const castAt = rest.indexOf('::');
  if (castAt >= 0) {
    cast = rest.slice(castAt + 2).trim();
    rest = rest.slice(0, castAt);
    if (!/^[A-Za-z_][A-Za-z0-9_ ]*(\[\])?$/.test(cast)) throw syntaxError(`"failed to parse cast (${item})"`);
  }
  return { kind: 'col', alias, ref: parseColumnRef(rest), cast };
}

const OPS = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'is', 'isdistinct', 'in', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxl', 'nxr', 'adj', 'fts', 'plfts', 'phfts', 'wfts']);

/** Parses `[not.]op[(any|all)|(config)].value` for a column. */
export function parseFilter(ref: ColumnRef, spec: string): Cond {
  let rest = spec;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const m = /^([a-z]+)(?:\(([^)]*)\))?\.(.*)$/s.exec(rest);
  if (!m || !OPS.has(m[1]!)) throw syntaxError(`"failed to parse filter (${spec})"`, `unknown operator or missing value in "${spec}"`);
  const op = m[1]!;
  const modifier = m[2];
  const cond: Cond = { kind: 'filter', ref, negate, op, value: m[3]! };
  if (modifier === 'any' || modifier === 'all') cond.quant = modifier;
  else if (modifier) cond.ftsConfig = modifier;
  if (op === 'is' && !['null', 'not_null', 'true', 'false', 'unknown'].includes(cond.value.toLowerCase())) {
    throw syntaxError(`"failed to parse filter (${spec})"`, 'is accepts null, not_null, true, false or unknown');
  }
  return cond;
}

/** Parses a logic tree body `(a.eq.1,b.gt.2,and(c.eq.3,d.is.null))`. */
export function parseLogic(op: 'and' | 'or', negate: boolean, body: string): Cond {
  const t = body.trim();
  if (!t.startsWith('(') || !t.endsWith(')')) throw syntaxError(`"failed to parse logic tree (${body})"`);
  const items = splitTopLevel(t.slice(1, -1)).map((part) => {
    const p = part.trim();
    const logic = /^(not\.)?(and|or)(\(.*\))$/s.exec(p);
    if (logic) return parseLogic(logic[2] as 'and' | 'or', Boolean(logic[1]), logic[3]!);
    const dot = findColumnEnd(p);
    if (dot < 0) throw syntaxError(`"failed to parse logic tree (${body})"`, `"${p}" is not a filter`);
    const cond = parseFilter(parseColumnRef(p.slice(0, dot)), p.slice(dot + 1));
    if (cond.kind === 'filter') cond.value = unquoteValue(cond.value);
    return cond;
  });
  return { kind: 'logic', op, negate, items };
}

/** The dot that ends the column part of `col.op.value` (json paths may contain dots only inside quotes). */
function findColumnEnd(p: string): number {
  let quoted = false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '"') quoted = !quoted;
    if (!quoted && p[i] === '.') return i;
  }
  return -1;
}

function unquoteValue(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1) : v;
}

/** `in.(a,"b,c")` values. */
export function parseList(value: string): string[] {
  const t = value.trim();
  if (!t.startsWith('(') || !t.endsWith(')')) throw syntaxError(`"failed to parse filter (in.${value})"`, 'in expects a list in parentheses');
  const inner = t.slice(1, -1);
  if (!inner) return [];
  return splitTopLevel(inner).map((v) => unquoteValue(v.trim()));
}

export function parseOrder(raw: string): OrderItem[] {
  return splitTopLevel(raw).map((part) => {
    const bits = part.trim().split('.');
    const ref = parseColumnRef(bits[0]!);
    const item: OrderItem = { ref, dir: 'asc' };
    for (const b of bits.slice(1)) {
      if (b === 'asc' || b === 'desc') item.dir = b;
      else if (b === 'nullsfirst') item.nulls = 'first';
      else if (b === 'nullslast') item.nulls = 'last';
      else throw syntaxError(`"failed to parse order (${raw})"`, `unexpected "${b}"`);
    }
    return item;
  });
}

export function parseColumnsParam(raw: string): string[] {
  return splitTopLevel(raw).map((c) => unquote(c));
}
