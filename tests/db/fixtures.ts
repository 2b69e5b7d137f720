// Database fixtures for RLS tests: two companies with members, two visitors with conversations (made with the
// shared factories), and a helper to run SQL as an actor (role + request.jwt.claims, as PostgREST and Realtime set them).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { addMember, createAuthUser, createCompany, createConversation } from '../support/factories.ts';

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
  const users = {} as World['users'];
  for (const name of ['visitorA', 'visitorB', 'agentX', 'adminX', 'agentY'] as const) {
    const id = randomUUID();
    const anonymous = name.startsWith('visitor');
    users[name] = await createAuthUser(db, { id, anonymous, email: anonymous ? null : `${name}-${id}@example.com` });
  }
  const { companyId: companyX } = await createCompany(db, { name: 'X' });
  const { companyId: companyY } = await createCompany(db, { name: 'Y' });
  const { companyId: companyZ } = await createCompany(db, { name: 'Z', widget: false });
  await addMember(db, companyX, users.agentX, 'agent', 'Agent X');
  await addMember(db, companyX, users.adminX, 'admin', 'Admin X');
  await addMember(db, companyY, users.agentY, 'agent', 'Agent Y');
  const a = await createConversation(db, {
    companyId: companyX,
    userId: users.visitorA,
    name: 'A',
    messages: [
      { senderKind: 'visitor', authorId: users.visitorA, body: 'hello from A' },
      { senderKind: 'agent', authorId: users.agentX, body: 'reply to A' },
    ],
  });
  const b = await createConversation(db, { companyId: companyX, userId: users.visitorB, name: 'B', messages: [{ senderKind: 'visitor', authorId: users.visitorB, body: 'hello from B' }] });
  return { companyX, companyY, companyZ, users, visitorA: a.visitorId, visitorB: b.visitorId, convA: a.conversationId, convB: b.conversationId };
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

/**
 * The broadcasts `event` whose payload's `key` is `value`, sent since `since`, oldest first: whether each went to
 * `companyId`'s topic, and its payload.
 */
export async function signalsSince(db: pg.Client, since: Date, companyId: string, event: string, key: string, value: string) {
  const { rows } = await db.query(
    `select m.topic = co.realtime_topic as company_topic, m.payload from realtime.messages m, public.companies co
      where co.id = $2 and m.event = $3 and m.payload->>$4 = $5 and m.inserted_at >= $1::timestamptz at time zone 'utc'
      order by m.inserted_at, m.id`,
    [since.toISOString(), companyId, event, key, value],
  );
  return rows as { company_topic: boolean; payload: Record<string, unknown> }[];
}
