// Conformance: `Prefer` options are applied or refused, never silently ignored — tx=rollback, max-affected with
// handling=strict, and unknown preferences under handling=strict, as PostgREST answers them (issue 17).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, serviceClient } from '../../tests/support/stack.ts';

let admin: pg.Client;

/** postgrest-js types maxAffected() for PostgREST 13+ schemas only; the call itself is the client's own. */
const maxAffected = <T>(builder: T, n: number): T => (builder as unknown as { maxAffected(n: number): T }).maxAffected(n);

async function values(): Promise<number[]> {
  return (await admin.query('select n from public.prefer_items order by id')).rows.map((r) => r.n);
}

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create table public.prefer_items (id int primary key, n int not null, at timestamptz not null default '2026-01-01T12:00:00Z');
    grant all on public.prefer_items to service_role;
    create function public.prefer_bump() returns setof public.prefer_items language sql as
      $$ update public.prefer_items set n = n + 100 returning * $$;
    create function public.prefer_one() returns int language sql as $$ select 1 $$;
    grant execute on function public.prefer_bump, public.prefer_one to service_role;
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query('drop function public.prefer_bump, public.prefer_one; drop table public.prefer_items');
  await admin.end();
});

describe('Prefer', () => {
  it('computes the answer of tx=rollback and then rolls the write back', async () => {
    await admin.query('truncate public.prefer_items');
    const { data, error, status } = await serviceClient().from('prefer_items').insert([{ id: 1, n: 1 }, { id: 2, n: 2 }]).select('id, n').rollback();
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toEqual([{ id: 1, n: 1 }, { id: 2, n: 2 }]);
    expect(await values()).toEqual([]);
  });

  it('refuses an update over max-affected with PGRST124 and leaves the rows as they were', async () => {
    await admin.query('truncate public.prefer_items; insert into public.prefer_items values (1, 1), (2, 2), (3, 3)');
    const over = await maxAffected(serviceClient().from('prefer_items').update({ n: 0 }).gt('id', 0), 2);
    expect(over.status).toBe(400);
    expect(over.error).toMatchObject({ code: 'PGRST124', message: 'Query result exceeds max-affected preference constraint', details: 'The query affects 3 rows' });
    expect(await values()).toEqual([1, 2, 3]);
    const removed = await maxAffected(serviceClient().from('prefer_items').delete().gt('id', 1), 2);
    expect(removed.error).toBeNull();
    expect(await values()).toEqual([1]);
  });

  it('applies max-affected to an rpc returning a set, and refuses it for a scalar rpc', async () => {
    await admin.query('truncate public.prefer_items; insert into public.prefer_items values (1, 1), (2, 2)');
    const over = await maxAffected(serviceClient().rpc('prefer_bump'), 1);
    expect(over.error).toMatchObject({ code: 'PGRST124' });
    expect(await values()).toEqual([1, 2]);
    const scalar = await maxAffected(serviceClient().rpc('prefer_one'), 1);
    expect(scalar.error).toMatchObject({ code: 'PGRST128' });
  });

  it('refuses an unknown preference under handling=strict and ignores it otherwise', async () => {
    const strict = await serviceClient().from('prefer_items').select('id').setHeader('Prefer', 'handling=strict, timezone=UTC, frobnicate=yes');
    expect(strict.status).toBe(400);
    expect(strict.error).toMatchObject({ code: 'PGRST122', message: 'Invalid preferences given with handling=strict', details: 'Invalid preferences: frobnicate=yes' });
    const lenient = await serviceClient().from('prefer_items').select('id').setHeader('Prefer', 'handling=lenient, frobnicate=yes');
    expect(lenient.error).toBeNull();
  });

  it('answers timestamps in the time zone of timezone=', async () => {
    await admin.query('truncate public.prefer_items; insert into public.prefer_items (id, n) values (1, 1)');
    const { data, error } = await serviceClient().from('prefer_items').select('at').setHeader('Prefer', 'timezone=America/New_York');
    expect(error).toBeNull();
    expect(data).toEqual([{ at: '2026-01-01T07:00:00-05:00' }]);
  });
});
