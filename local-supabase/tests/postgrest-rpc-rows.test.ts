// Conformance: an rpc returning rows (RETURNS TABLE, OUT arguments, a composite type) is read like a table by
// postgrest-js — select, filters, order, limit and an exact count — as PostgREST applies them (issue 17).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db } from '../../tests/support/stack.ts';

let admin: pg.Client;

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create type public.rpc_rows_point as (x int, y int);
    create function public.rpc_rows_report(since int default 0)
      returns table (day int, label text, messages int) language sql stable as
      $$ select d, 'day ' || d, d * 10 from generate_series(1, 5) d where d > since $$;
    create function public.rpc_rows_pair(out lo int, out hi int) language sql stable as $$ select 1, 9 $$;
    create function public.rpc_rows_points() returns setof public.rpc_rows_point language sql stable as
      $$ select (i, i * i)::public.rpc_rows_point from generate_series(1, 4) i $$;
    create function public.rpc_rows_days() returns table (day int) language sql stable as $$ select generate_series(1, 3) $$;
    create function public.rpc_rows_count() returns int language sql stable as $$ select 42 $$;
    create function public.rpc_rows_norm(p public.rpc_rows_point) returns int language sql stable as $$ select p.x + p.y $$;
    create function public.rpc_rows_sum(ps public.rpc_rows_point[]) returns int language sql stable as
      $$ select sum(p.x * p.y)::int from unnest(ps) p $$;
    grant execute on function public.rpc_rows_days, public.rpc_rows_report, public.rpc_rows_pair, public.rpc_rows_points, public.rpc_rows_count,
      public.rpc_rows_norm, public.rpc_rows_sum to anon;
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query(`
    drop function public.rpc_rows_days, public.rpc_rows_report, public.rpc_rows_pair, public.rpc_rows_points, public.rpc_rows_count,
      public.rpc_rows_norm, public.rpc_rows_sum;
    drop type public.rpc_rows_point;`);
  await admin.end();
});

describe('rpc returning rows', () => {
  it('applies select, filters, order and limit to a RETURNS TABLE result', async () => {
    const { data, error } = await client().rpc('rpc_rows_report', { since: 1 }).select('day, label').gte('messages', 30).order('day', { ascending: false }).limit(2);
    expect(error).toBeNull();
    expect(data).toEqual([
      { day: 5, label: 'day 5' },
      { day: 4, label: 'day 4' },
    ]);
  });

  it('filters a RETURNS TABLE result called with GET', async () => {
    const { data, error } = await client().rpc('rpc_rows_report', { since: 2 }, { get: true }).select('day').in('day', [3, 5]);
    expect(error).toBeNull();
    expect(data).toEqual([{ day: 3 }, { day: 5 }]);
  });

  it('answers a one-column RETURNS TABLE as objects and filters it', async () => {
    const { data, error } = await client().rpc('rpc_rows_days').gte('day', 2);
    expect(error).toBeNull();
    expect(data).toEqual([{ day: 2 }, { day: 3 }]);
  });

  it('projects OUT arguments and SETOF a composite type', async () => {
    const pair = await client().rpc('rpc_rows_pair').select('hi');
    expect(pair.error).toBeNull();
    expect(pair.data).toEqual({ hi: 9 });
    const points = await client().rpc('rpc_rows_points').select('y').gt('x', 2);
    expect(points.error).toBeNull();
    expect(points.data).toEqual([{ y: 9 }, { y: 16 }]);
  });

  it('counts the filtered rows with count=exact, not the page', async () => {
    const { data, count, status, error } = await client().rpc('rpc_rows_report', {}, { count: 'exact' }).gt('day', 1).limit(2);
    expect(error).toBeNull();
    expect(data).toHaveLength(2);
    expect(count).toBe(4);
    expect(status).toBe(206);
  });

  it('answers a count for HEAD and for a scalar function', async () => {
    const head = await client().rpc('rpc_rows_report', {}, { head: true, count: 'exact' });
    expect(head.error).toBeNull();
    expect(head.count).toBe(5);
    const scalar = await client().rpc('rpc_rows_count', {}, { count: 'exact' });
    expect(scalar.error).toBeNull();
    expect(scalar.data).toBe(42);
    expect(scalar.count).toBe(1);
  });

  it('converts a row-typed argument sent as a JSON object, and an array of them', async () => {
    const one = await client().rpc('rpc_rows_norm', { p: { x: 3, y: 4 } });
    expect(one.error).toBeNull();
    expect(one.data).toBe(7);
    const many = await client().rpc('rpc_rows_sum', { ps: [{ x: 2, y: 3 }, { x: 1, y: 5 }] });
    expect(many.error).toBeNull();
    expect(many.data).toBe(11);
  });
});
