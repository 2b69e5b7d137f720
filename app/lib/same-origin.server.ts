// The dashboard server's own doors, in front of Remix: refuses cross-origin writes (CSRF, document and
// single-fetch `.data` requests alike) and tells browsers not to let other sites frame the dashboard.
import type { Request as ExpressRequest, RequestHandler } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export interface SameOriginOptions {
  /** The dashboard's public origin (e.g. `https://chat.example.com` behind a proxy); default: this request's own. */
  origin?: string;
}

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** The origin the browser used to reach us: configured, else the request's scheme and Host. */
export function ownOrigin(req: ExpressRequest, configured?: string): string | null {
  if (configured) return originOf(configured);
  const host = req.get('host');
  return host ? originOf(`${req.protocol}://${host}`) : null;
}

/**
 * Every write must come from a page of ours. Browsers send `Origin` on every cross-origin POST (and on
 * same-origin ones); `Referer` is the fallback for the few that do not. A write with neither, or with
 * `Origin: null` (sandboxed frames, cross-origin redirects), is refused too: it cannot be shown to be ours.
 * The session cookie is SameSite=Lax, which still lets another origin of the same site post with it.
 */
export function sameOriginWrites(opts: SameOriginOptions = {}): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const expected = ownOrigin(req, opts.origin);
    const origin = req.get('origin');
    const from = origin !== undefined ? originOf(origin) : originOf(req.get('referer'));
    if (expected && from === expected) return next();
    res.status(403).json({
      code: 'cross_origin_request',
      message: 'This request did not come from a page of the dashboard, so it was refused. Reload the dashboard and try again.',
    });
  };
}

/** No framing by other origins (clickjacking); the widget preview is framed by the dashboard itself. */
export const frameHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', "frame-ancestors 'self'");
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  next();
};

/** The client's address: the socket's, or (only when proxies are trusted, see server.ts) the forwarded one. */
export function clientAddress(req: ExpressRequest): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
