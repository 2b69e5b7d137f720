// Conformance: postgrest-js upserts and range filters against the local /rest/v1, as PostgREST answers them
// (issue 17): a row of only its conflict columns comes back, `defaultToNull: false` resets missing columns to
// their defaults, and nxl / nxr mean "does not extend to the left / right of".
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, serviceClient } from '../../tests/support/stack.ts';

let admin: pg.Client;

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create table public.writes_test_items (id int primary key, name text default 'unnamed', qty int not null default 5);
    create table public.writes_test_spans (id int primary key, span int4range not null);
    grant all on public.writes_test_items, public.writes_test_spans to service_role;
    insert into public.writes_test_items values (1, 'kept', 9);
    insert into public.writes_test_spans values (1, '[1,5)'), (2, '[10,20)'), (3, '[3,30)');
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query('drop table public.writes_test_items, public.writes_test_spans');
  await admin.end();
});

describe('upsert', () => {
  it('returns a row that holds only the conflict columns, existing or new, with 200/201 like PostgREST', async () => {
    const existing = await serviceClient().from('writes_test_items').upsert({ id: 1 }).select();
    expect(existing.error).toBeNull();
    expect(existing.status).toBe(200);
    expect(existing.data).toEqual([{ id: 1, name: 'kept', qty: 9 }]);
    const fresh = await serviceClient().from('writes_test_items').upsert({ id: 2 }).select();
    expect(fresh.error).toBeNull();
    expect(fresh.status).toBe(201);
    expect(fresh.data).toEqual([{ id: 2, name: 'unnamed', qty: 5 }]);
  });

  it('gives columns a row lacks their defaults with defaultToNull: false, also when the row exists', async () => {
    await admin.query(`insert into public.writes_test_items values (3, 'old', 1)`);
    const { data, error } = await serviceClient()
      .from('writes_test_items')
      .upsert([{ id: 3, name: 'new' }, { id: 4, qty: 8 }], { defaultToNull: false })
      .select()
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 3, name: 'new', qty: 5 },
      { id: 4, name: 'unnamed', qty: 8 },
    ]);
  });
});

describe('range operators', () => {
  it('nxl keeps ranges that do not extend to the left of the value, nxr to the right', async () => {
    const left = await serviceClient().from('writes_test_spans').select('id').filter('span', 'nxl', '[4,8)').order('id');
    expect(left.error).toBeNull();
    expect(left.data).toEqual([{ id: 2 }]);
    const right = await serviceClient().from('writes_test_spans').select('id').filter('span', 'nxr', '[4,8)').order('id');
    expect(right.error).toBeNull();
    expect(right.data).toEqual([{ id: 1 }]);
  });

  it('rangeGte / rangeLte (the client names for nxl / nxr) select the same rows', async () => {
    const gte = await serviceClient().from('writes_test_spans').select('id').rangeGte('span', '[4,8)').order('id');
    expect(gte.data).toEqual([{ id: 2 }]);
    const lte = await serviceClient().from('writes_test_spans').select('id').rangeLte('span', '[4,8)').order('id');
    expect(lte.data).toEqual([{ id: 1 }]);
  });
});
