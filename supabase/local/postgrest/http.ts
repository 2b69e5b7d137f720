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

export function parsePrefer(h: string | string[] | undefined): Prefs {
  const prefs: Prefs = {};
  for (const part of (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',')) {
    const [k, v] = part.trim().split('=').map((x) => x.trim());
    if (k === 'return' && (v === 'minimal' || v === 'representation' || v === 'headers-only')) prefs.return = v;
    else if (k === 'count' && (v === 'exact' || v === 'planned' || v === 'estimated')) prefs.count = v;
    else if (k === 'resolution' && (v === 'merge-duplicates' || v === 'ignore-duplicates')) prefs.resolution = v;
    else if (k === 'missing' && (v === 'default' || v === 'null')) prefs.missing = v;
  }
  return prefs;
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
