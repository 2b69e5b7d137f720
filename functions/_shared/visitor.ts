// The visitor behind a widget call: the claims of the JWT the platform has already verified.
import { HttpError } from './http.ts';

export interface Visitor {
  id: string;
  isAnonymous: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The visitor behind the request's JWT. The platform has already verified the signature and expiry
 * (these functions run with verify_jwt = true, see supabase/config.toml), so the claims are read, not
 * re-fetched: no extra round trip to Auth on the message path.
 */
export function requireVisitor(req: Request): Visitor {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!token) throw new HttpError(401, 'unauthorized', 'Sign in first: the request has no access token.');
  let claims: { sub?: unknown; role?: unknown; exp?: unknown; is_anonymous?: unknown };
  try {
    const part = token.split('.')[1] ?? '';
    claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')));
  } catch {
    throw new HttpError(401, 'unauthorized', 'The access token is invalid or expired.');
  }
  if (claims.role !== 'authenticated' || typeof claims.sub !== 'string' || !UUID.test(claims.sub) || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
    throw new HttpError(401, 'unauthorized', 'The access token is invalid or expired.');
  }
  return { id: claims.sub, isAnonymous: claims.is_anonymous === true };
}
