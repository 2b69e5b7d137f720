// Private-channel authorization the way Supabase Realtime does it (reference §2.3): RLS policies on
// realtime.messages decide, evaluated as the connecting user's JWT inside a transaction that is rolled back.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Claims } from '../jwt.ts';

async function setRequest(db: pg.PoolClient, claims: Claims, subTopic: string) {
  await db.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true), set_config('request.jwt.claims', $3, true),
            set_config('request.jwt.claim.sub', $4, true), set_config('request.jwt.claim.role', $1, true)`,
    [String(claims.role ?? 'anon'), subTopic, JSON.stringify(claims), String(claims.sub ?? '')],
  );
}

export interface ReadGrant {
  broadcast: boolean;
  /** null: not checked (Realtime checks presence read only once presence is enabled, at join or by a track). */
  presence: boolean | null;
}

/**
 * Postgres could not be reached (refused, shut down, starting up) or the session died: Realtime answers this
 * with "Realtime was unable to connect to the project database", not as a denial.
 */
export class DatabaseUnreachable extends Error {
  constructor(cause: unknown) {
    super('Realtime was unable to connect to the project database', { cause });
  }
}

/** A client-side error (no server severity: refused, reset, ended) or a server code of class 08 or 57P. */
function isUnreachable(err: unknown): boolean {
  const e = err as { severity?: string; code?: string } | null;
  return !e?.severity || /^(08|57P)/.test(e.code ?? '');
}

/**
 * Which extensions the user may read on a topic: probe rows inserted as superuser, then selected as the user.
 * Presence is checked only when asked (`presence`), as Realtime does; otherwise it comes back null.
 */
export async function checkRead(pool: pg.Pool, claims: Claims, subTopic: string, presence: boolean): Promise<ReadGrant> {
  let db: pg.PoolClient;
  try {
    db = await pool.connect();
  } catch (err) {
    throw new DatabaseUnreachable(err);
  }
  let broken = false;
  try {
    await db.query('begin');
    const broadcastId = randomUUID();
    const presenceId = randomUUID();
    await db.query(
      `insert into realtime.messages (id, topic, extension, private, payload) values ($1, $3, 'broadcast', true, '{}'), ($2, $3, 'presence', true, '{}')`,
      [broadcastId, presenceId, subTopic],
    );
    await setRequest(db, claims, subTopic);
    const { rows } = await db.query<{ id: string }>('select id from realtime.messages where id = any($1::uuid[])', [[broadcastId, ...(presence ? [presenceId] : [])]]);
    const seen = new Set(rows.map((r) => r.id));
    return { broadcast: seen.has(broadcastId), presence: presence ? seen.has(presenceId) : null };
  } catch (err) {
    if (isUnreachable(err)) {
      broken = true;
      throw new DatabaseUnreachable(err);
    }
    // A policy that raises counts as "no permission", as in Realtime.
    return { broadcast: false, presence: presence ? false : null };
  } finally {
    if (!broken) await db.query('rollback').catch(() => (broken = true));
    db.release(broken);
  }
}

/**
 * Whether the user may write (send a broadcast, track presence) on a topic: an insert as the user, rolled back.
 * null: the check itself failed (a policy raised, Postgres unreachable). Realtime refuses that one message and
 * checks again on the next, where a denial (insufficient_privilege) is kept for the channel's token.
 */
export async function checkWrite(pool: pg.Pool, claims: Claims, subTopic: string, extension: 'broadcast' | 'presence'): Promise<boolean | null> {
  let db: pg.PoolClient;
  try {
    db = await pool.connect();
  } catch {
    return null;
  }
  let broken = false;
  try {
    await db.query('begin');
    await setRequest(db, claims, subTopic);
    await db.query(`insert into realtime.messages (topic, extension, private, payload) values ($1, $2, true, '{}')`, [subTopic, extension]);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '42501') return false;
    broken = isUnreachable(err);
    return null;
  } finally {
    if (!broken) await db.query('rollback').catch(() => (broken = true));
    db.release(broken);
  }
}
