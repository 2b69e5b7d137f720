// Database fixtures for RLS tests: two companies with members, two visitors with conversations, and a
// helper to run SQL as an actor (role + request.jwt.claims, as PostgREST and Realtime set them).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export type Actor = 'anon' | 'visitorA' | 'visitorB' | 'agentX' | 'adminX' | 'agentY' | 'service';
export const ACTORS: Actor[] = ['anon', 'visitorA', 'visitorB', 'agentX', 'adminX', 'agentY', 'service'];

export interface World {
  companyX: string;
  companyY: string;
  companyZ: string;
  users: Record<Exclude<Actor, 'anon' | 'service'>, string>;
  visitorA: string;
  visitorB: string;
  convA: string;
  convB: string;
}

/** Creates a fresh, isolated world (new ids every time) as the `postgres` role. */
export async function createWorld(db: pg.Client): Promise<World> {
  const id = () => randomUUID();
  const w: World = {
    companyX: id(),
    companyY: id(),
    companyZ: id(),
    users: { visitorA: id(), visitorB: id(), agentX: id(), adminX: id(), agentY: id() },
    visitorA: id(),
    visitorB: id(),
    convA: id(),
    convB: id(),
  };
  for (const [name, uid] of Object.entries(w.users)) {
    await db.query(
      `insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '{}', '{}', now(), now(), $3)`,
      [uid, name.startsWith('visitor') ? null : `${name}-${uid}@example.com`, name.startsWith('visitor')],
    );
  }
  await db.query(`insert into public.companies (id, name) values ($1, 'X'), ($2, 'Y'), ($3, 'Z')`, [w.companyX, w.companyY, w.companyZ]);
  await db.query(
    `insert into public.company_members (company_id, user_id, role, display_name) values
       ($1, $3, 'agent', 'Agent X'), ($1, $4, 'admin', 'Admin X'), ($2, $5, 'agent', 'Agent Y')`,
    [w.companyX, w.companyY, w.users.agentX, w.users.adminX, w.users.agentY],
  );
  const key = (c: string) => `pk_test_${c.replace(/-/g, '').slice(0, 20)}`;
  await db.query(`insert into public.widget_configs (company_id, widget_key) values ($1, $2), ($3, $4)`, [w.companyX, key(w.companyX), w.companyY, key(w.companyY)]);
  await db.query(`insert into public.visitors (id, company_id, user_id, name) values ($1, $3, $4, 'A'), ($2, $3, $5, 'B')`, [
    w.visitorA,
    w.visitorB,
    w.companyX,
    w.users.visitorA,
    w.users.visitorB,
  ]);
  await db.query(`insert into public.conversations (id, company_id, visitor_id) values ($1, $3, $4), ($2, $3, $5)`, [w.convA, w.convB, w.companyX, w.visitorA, w.visitorB]);
  await db.query(
    `insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body) values
       ($1, $4, $6, 'visitor', $7, 'hello from A'), ($2, $4, $6, 'agent', $8, 'reply to A'), ($3, $5, $6, 'visitor', $9, 'hello from B')`,
    [id(), id(), id(), w.convA, w.convB, w.companyX, w.users.visitorA, w.users.agentX, w.users.visitorB],
  );
  return w;
}

export function claimsFor(w: World, actor: Actor): { role: string; claims: Record<string, unknown> } {
  if (actor === 'anon') return { role: 'anon', claims: { role: 'anon' } };
  if (actor === 'service') return { role: 'service_role', claims: { role: 'service_role' } };
  return { role: 'authenticated', claims: { role: 'authenticated', sub: w.users[actor], aud: 'authenticated', is_anonymous: actor.startsWith('visitor') } };
}

/** Switches the open transaction to the actor, as PostgREST does. */
export async function becomeActor(db: pg.Client, w: World, actor: Actor): Promise<void> {
  const { role, claims } = claimsFor(w, actor);
  await db.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claims)]);
}

export type Outcome = 'ok' | 'none' | 'error' | number;

/**
 * Runs one statement as an actor in a transaction that is always rolled back.
 * select → number of rows; insert/update/delete → 'ok' if rows were written, 'none' if zero rows, 'error' if refused.
 * For 'none', `unchanged` (run as the superuser after) must confirm the data did not change.
 */
export async function attempt(
  db: pg.Client,
  w: World,
  actor: Actor,
  kind: 'select' | 'write',
  sql: string,
  params: unknown[],
  unchanged?: () => Promise<boolean>,
): Promise<Outcome> {
  await db.query('begin');
  try {
    await becomeActor(db, w, actor);
    let result: pg.QueryResult;
    try {
      result = await db.query(sql, params);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '42501') return 'error';
      throw err;
    }
    if (kind === 'select') return Number(result.rows[0]?.n ?? result.rowCount);
    if ((result.rowCount ?? 0) > 0) return 'ok';
    await db.query('reset role');
    if (unchanged && !(await unchanged())) throw new Error(`${actor}: zero rows reported but the data changed`);
    return 'none';
  } finally {
    await db.query('rollback');
  }
}
