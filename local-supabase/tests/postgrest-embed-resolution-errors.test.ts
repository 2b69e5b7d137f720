// Conformance: how PostgREST names and refuses embeds, driven by postgrest-js — an FK column names only the
// table's relationship (not a view's), the PGRST201 details and hint texts, two embeds sharing a name, and a spread
// over an unknown relationship answered PGRST200 (issue 17).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db } from '../../tests/support/stack.ts';

let admin: pg.Client;

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create table public.rer_users (username text primary key, status text);
    create table public.rer_profiles (id int primary key, username text references public.rer_users);
    create table public.rer_pairs (id int primary key,
      first_user text not null references public.rer_users, second_user text not null references public.rer_users);
    create table public.rer_notes (id int primary key, body text);
    create view public.rer_users_view as select username, status from public.rer_users;
    grant select on public.rer_users, public.rer_profiles, public.rer_pairs, public.rer_notes, public.rer_users_view to anon;
    insert into public.rer_users values ('ada', 'ONLINE'), ('bob', 'OFFLINE');
    insert into public.rer_profiles values (1, 'ada');
    insert into public.rer_pairs values (1, 'ada', 'bob');
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query(`drop view public.rer_users_view;
    drop table public.rer_pairs, public.rer_profiles, public.rer_notes, public.rer_users`);
  await admin.end();
});

describe('embed resolution', () => {
  it('embeds by FK column name through the table only, though a view shows the same key', async () => {
    const res = await client().from('rer_profiles').select('username(*)').eq('id', 1).single();
    expect(res.error).toBeNull();
    expect(res.data).toEqual({ username: { username: 'ada', status: 'ONLINE' } });
    const aliased = await client().from('rer_profiles').select('user:username(status)').eq('id', 1).single();
    expect(aliased.data).toEqual({ user: { status: 'ONLINE' } });
  });

  it('describes an ambiguous one-to-many embed from the parent side, hinting with the target table', async () => {
    const res = await client().from('rer_users').select('rer_pairs(*)');
    expect(res.status).toBe(300);
    expect(res.error).toEqual({
      code: 'PGRST201',
      details: [
        { cardinality: 'one-to-many', embedding: 'rer_users with rer_pairs', relationship: 'rer_pairs_first_user_fkey using rer_users(username) and rer_pairs(first_user)' },
        { cardinality: 'one-to-many', embedding: 'rer_users with rer_pairs', relationship: 'rer_pairs_second_user_fkey using rer_users(username) and rer_pairs(second_user)' },
      ],
      hint: "Try changing 'rer_pairs' to one of the following: 'rer_pairs!rer_pairs_first_user_fkey', 'rer_pairs!rer_pairs_second_user_fkey'. Find the desired relationship in the 'details' key.",
      message: "Could not embed because more than one relationship was found for 'rer_users' and 'rer_pairs'",
    });
  });

  it('refuses two embeds under one name as Postgres refuses their repeated subquery alias', async () => {
    const res = await client().from('rer_pairs').select('rer_users!first_user(*), rer_users!second_user(*)').single();
    expect(res.status).toBe(400);
    expect(res.error).toEqual({ code: '42712', details: null, hint: null, message: 'table name "rer_pairs_rer_users_1" specified more than once' });
    const aliased = await client().from('rer_pairs').select('a:rer_users!first_user(username), b:rer_users!second_user(username)').single();
    expect(aliased.error).toBeNull();
    expect(aliased.data).toEqual({ a: { username: 'ada' }, b: { username: 'bob' } });
  });

  it('answers a spread over an unknown relationship with PGRST200, and refuses one over a known relationship', async () => {
    const missing = await client().from('rer_profiles').select('id, ...rer_notes(body)');
    expect(missing.status).toBe(400);
    expect(missing.error).toMatchObject({
      code: 'PGRST200',
      details: "Searched for a foreign key relationship between 'rer_profiles' and 'rer_notes' in the schema 'public', but no matches were found.",
      message: "Could not find a relationship between 'rer_profiles' and 'rer_notes' in the schema cache",
    });
    const known = await client().from('rer_profiles').select('id, ...rer_users(status)');
    expect(known.status).toBe(400);
    expect(known.error?.message).toContain('spread embedding is not supported');
  });
});
