// Who is asking, and running SQL as them: the JWT's role and claims set for one transaction, so the policies on
// storage.objects decide as they do on hosted Storage (reference §8.2).
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { type Claims, verifyJwt } from '../jwt.ts';
import type { JwtKeys } from '../project-keys.ts';
import { fromDatabase, invalidJwt } from './errors.ts';

export async function requestClaims(jwtSecret: string | JwtKeys, req: IncomingMessage): Promise<Claims> {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) throw invalidJwt('headers must have required property \'authorization\'');
  try {
    return await verifyJwt(jwtSecret, token);
  } catch (err) {
    throw invalidJwt((err as Error).message);
  }
}

/** Runs `fn` in a transaction as the claims' role; `rollback` undoes it (a permission probe). */
export async function asUser<T>(pool: pg.Pool, claims: Claims, fn: (db: pg.PoolClient) => Promise<T>, { rollback = false } = {}): Promise<T> {
  const db = await pool.connect();
  try {
    await db.query('begin');
    await db.query(
      `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true), set_config('request.jwt.claim.sub', $3, true),
              set_config('request.jwt.claim.role', $1, true)`,
      [String(claims.role ?? 'anon'), JSON.stringify(claims), String(claims.sub ?? '')],
    );
    const out = await fn(db);
    await db.query(rollback ? 'rollback' : 'commit');
    return out;
  } catch (err) {
    await db.query('rollback').catch(() => undefined);
    throw fromDatabase(err as { code?: string; message: string }) ?? err;
  } finally {
    db.release();
  }
}
