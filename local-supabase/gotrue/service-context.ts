// What every Auth route shares: the request shape, transactions, the caller's JWT, user and session, admin checks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { AuthConfig, StackConfig } from '../config.ts';
import { readBody, type StackContext } from '../context.ts';
import { type Claims, verifyJwt } from '../jwt.ts';
import { AuthError } from './errors.ts';
import { AMR_CLAIMS_DDL, findUserById, type UserRow } from './users.ts';

const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export type Json = Record<string, any>;

export interface AuthRequest {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  url: URL;
  /** The JSON object body, parsed once; a non-object or malformed body is a 400 bad_json. */
  body: () => Promise<Json>;
}

export type AuthHandler = (r: AuthRequest) => Promise<void> | void;

export interface AuthServiceContext {
  ctx: StackContext;
  cfg: StackConfig;
  auth: AuthConfig;
  pool: pg.Pool;
  tx<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T>;
  /** The signed-in user and session of a request's JWT. */
  currentUser(req: IncomingMessage): Promise<{ user: UserRow; claims: Claims; sessionId: string | null }>;
  requireAdmin(req: IncomingMessage): Promise<void>;
}

export async function parseBody(req: IncomingMessage): Promise<Json> {
  const raw = (await readBody(req)).toString('utf8');
  if (!raw.trim()) return {};
  try {
    const v = JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  } catch (err) {
    throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
  }
  throw new AuthError(400, 'bad_json', 'Could not parse request body as JSON: expected an object');
}

function bearer(req: IncomingMessage): string {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  if (!m) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  return m[1]!;
}

export function createAuthServiceContext(ctx: StackContext): AuthServiceContext {
  const { cfg, pool } = ctx;

  let amrClaims: Promise<unknown> | null = null;
  async function tx<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    // Once per service: older local data folders lack auth.mfa_amr_claims (retried if Postgres was down).
    await (amrClaims ??= pool.query(AMR_CLAIMS_DDL).catch((err) => {
      amrClaims = null;
      throw err;
    }));
    const db = await pool.connect();
    try {
      await db.query('begin');
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

  async function claimsOf(req: IncomingMessage): Promise<Claims> {
    try {
      return await verifyJwt(cfg.jwtKeys, bearer(req));
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${(err as Error).message}`);
    }
  }

  async function currentUser(req: IncomingMessage) {
    const claims = await claimsOf(req);
    if (!claims.sub) throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim');
    // GoTrue's order: the user of the sub claim first, then the session of the session_id claim.
    if (!UUID_RE.test(claims.sub)) throw new AuthError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
    const user = await findUserById(pool, claims.sub);
    if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    const sessionId = typeof claims.session_id === 'string' && claims.session_id && claims.session_id !== NIL_UUID ? claims.session_id : null;
    if (sessionId) {
      if (!UUID_RE.test(sessionId)) throw new AuthError(403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID');
      const { rowCount } = await pool.query('select 1 from auth.sessions where id = $1', [sessionId]);
      if (!rowCount) throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    }
    return { user, claims, sessionId };
  }

  async function requireAdmin(req: IncomingMessage): Promise<void> {
    const claims = await claimsOf(req);
    if (!ADMIN_ROLES.has(String(claims.role))) throw new AuthError(403, 'not_admin', 'User not allowed');
  }

  return { ctx, cfg, auth: cfg.auth, pool, tx, currentUser, requireAdmin };
}
