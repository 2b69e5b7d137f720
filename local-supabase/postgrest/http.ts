// Request/response plumbing shared by the handlers: Prefer parsing, replies, Content-Range, singular objects.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Claims } from '../jwt.ts';
import { RestError } from './errors.ts';

export const SINGULAR = 'application/vnd.pgrst.object+json';

export interface Prefs {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  tx?: 'commit' | 'rollback';
  handling?: 'strict' | 'lenient';
  maxAffected?: number;
  /** `timezone=NAME`: the session time zone for the request, when Postgres knows the name. */
  timezone?: string;
  /** Preferences PostgREST does not know: refused with handling=strict, ignored otherwise (as PostgREST does). */
  invalid: string[];
}

export interface Auth {
  role: string;
  claims: Claims;
}

/** One request as the handlers see it (the body is read once, so a request can be retried). */
export interface RestRequest {
  req: IncomingMessage;
  url: URL;
  method: string;
  body: Buffer;
  auth: Auth;
  prefs: Prefs;
  /** Accept: application/vnd.pgrst.object+json */
  singular: boolean;
}

export interface Reply {
  status: number;
  body: string | null;
  headers: Record<string, string>;
}

const ACCEPTED = new Set([
  'return=minimal',
  'return=representation',
  'return=headers-only',
  'count=exact',
  'count=planned',
  'count=estimated',
  'resolution=merge-duplicates',
  'resolution=ignore-duplicates',
  'missing=default',
  'missing=null',
  'tx=commit',
  'tx=rollback',
  'handling=strict',
  'handling=lenient',
]);

/** Each preference takes its first valid value, as PostgREST reads them. */
export function parsePrefer(h: string | string[] | undefined): Prefs {
  const prefs: Prefs = { invalid: [] };
  const set = <K extends keyof Prefs>(k: K, v: Prefs[K]) => {
    if (prefs[k] === undefined) prefs[k] = v;
  };
  for (const raw of (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const [k, v] = part.split('=').map((x) => x.trim()) as [string, string];
    if (k === 'max-affected') {
      if (/^-?\d+$/.test(v ?? '')) set('maxAffected', Number(v));
      continue;
    }
    if (k === 'timezone') {
      set('timezone', v ?? '');
      continue;
    }
    if (!ACCEPTED.has(part)) {
      prefs.invalid.push(part);
      continue;
    }
    if (k === 'return') set('return', v as Prefs['return']);
    else if (k === 'count') set('count', v as Prefs['count']);
    else if (k === 'resolution') set('resolution', v as Prefs['resolution']);
    else if (k === 'missing') set('missing', v as Prefs['missing']);
    else if (k === 'tx') set('tx', v as Prefs['tx']);
    else if (k === 'handling') set('handling', v as Prefs['handling']);
  }
  return prefs;
}

/** handling=strict refuses what it does not know (PGRST122). */
export function checkStrict(prefs: Prefs) {
  if (prefs.handling !== 'strict' || !prefs.invalid.length) return;
  throw new RestError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.invalid.join(', ')}`);
}

/** max-affected is enforced only with handling=strict, as in PostgREST. */
export function maxAffected(prefs: Prefs): number | undefined {
  return prefs.handling === 'strict' ? prefs.maxAffected : undefined;
}

/** PGRST124 when a write (or an rpc) touched more rows than `Prefer: max-affected` allows; thrown before COMMIT. */
export function checkAffected(prefs: Prefs, n: number) {
  const max = maxAffected(prefs);
  if (max !== undefined && n > max) {
    throw new RestError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${n} rows`);
  }
}

/** The transaction-level preferences applied, appended to what the handler reported. */
export function withAppliedTx(reply: Reply, prefs: Prefs): Reply {
  const extra = [prefs.tx && `tx=${prefs.tx}`, prefs.handling && `handling=${prefs.handling}`, maxAffected(prefs) !== undefined && `max-affected=${prefs.maxAffected}`].filter(Boolean);
  if (!extra.length) return reply;
  const have = reply.headers['Preference-Applied'];
  return { ...reply, headers: { ...reply.headers, 'Preference-Applied': [have, ...extra].filter(Boolean).join(', ') } };
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `0-9/57`, `0-9/*`, or `* /0` (no space) when the page is empty. */
export function contentRange(offset: number, n: number, total: number | null): string {
  const t = total === null ? '*' : String(total);
  return n > 0 ? `${offset}-${offset + n - 1}/${t}` : `*/${t}`;
}

/** One JSON object for Accept: vnd.pgrst.object+json, or 406 PGRST116 (thrown inside the transaction, so it rolls back). */
export function singular(body: string, n: number): string {
  if (n !== 1) {
    throw new RestError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${n} rows`);
  }
  const arr = JSON.parse(body) as unknown[];
  return JSON.stringify(arr[0]);
}

export function send(res: ServerResponse, reply: Reply, head = false) {
  const h: Record<string, string> = { ...reply.headers };
  if (reply.body !== null || head) h['Content-Type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, h);
  res.end(head ? '' : (reply.body ?? ''));
}

export function errorReply(e: RestError): Reply {
  return {
    status: e.status,
    body: JSON.stringify(e.body()),
    headers: { ...e.headers, 'Proxy-Status': `PostgREST; error=${e.code}` },
  };
}
