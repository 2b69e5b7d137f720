// Verifies the Bearer JWT as PostgREST does (messages from its Error.hs) and picks the role to run as.
import type { IncomingMessage } from 'node:http';
import type { StackConfig } from '../config.ts';
import { type Claims, JwtError, verifyJwt } from '../jwt.ts';
import { RestError } from './errors.ts';
import { type Auth, header } from './http.ts';
import type { SchemaCache } from './schema.ts';

const invalidToken = (desc: string) => ({ 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${desc}"` });

export async function authenticate(cfg: StackConfig, cache: SchemaCache, req: IncomingMessage): Promise<Auth> {
  const auth = header(req, 'authorization');
  // No Authorization (or not a Bearer one): the anonymous role, with role in the claims as PostgREST sets them.
  const m = auth ? /^Bearer(?:\s+(.*))?$/i.exec(auth.trim()) : null;
  if (!m) return { role: 'anon', claims: { role: 'anon' } };
  const token = (m[1] ?? '').trim();
  if (!token) throw new RestError(401, 'PGRST301', 'Empty JWT is sent in Authorization header', null, null, invalidToken('Empty JWT is sent in Authorization header'));
  const parts = token.split('.').length;
  if (parts !== 3) {
    const msg = `Expected 3 parts in JWT; got ${parts}`;
    throw new RestError(401, 'PGRST301', msg, null, null, invalidToken(msg));
  }
  let claims: Claims;
  try {
    claims = await verifyJwt(cfg.jwtKeys, token);
  } catch (err) {
    if (err instanceof JwtError && err.kind === 'expired') throw new RestError(401, 'PGRST303', 'JWT expired', null, null, invalidToken('JWT expired'));
    if (err instanceof JwtError && err.kind === 'signature') {
      const msg = 'No suitable key or wrong key type';
      throw new RestError(401, 'PGRST301', msg, 'None of the keys was able to decode the JWT', null, invalidToken(msg));
    }
    const msg = 'JWT cryptographic operation failed';
    throw new RestError(401, 'PGRST301', msg, null, null, invalidToken(msg));
  }
  const role = typeof claims.role === 'string' && claims.role ? claims.role : 'anon';
  if (!(await cache.hasRole(role))) {
    throw new RestError(401, '22023', `role "${role}" does not exist`, null, null, { 'WWW-Authenticate': 'Bearer' });
  }
  return { role, claims: { ...claims, role } };
}
