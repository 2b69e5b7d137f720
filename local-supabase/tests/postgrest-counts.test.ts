// Conformance: `count=planned` and `count=estimated` answer the planner's estimate (and 206 when it exceeds the
// page) as PostgREST does, instead of an exact count with 200; aggregates are refused as on hosted (issue 17).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db } from '../../tests/support/stack.ts';

let admin: pg.Client;

/** The planner's row estimate for the whole table, read the way PostgREST reads it (EXPLAIN). */
async function plannedRows(sql: string): Promise<number> {
  const { rows } = await admin.query(`explain (format json) ${sql}`);
  return Math.round(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
}

beforeAll(async () => {
  admin = await db();
  // Never analyzed: the planner guesses from the table's size, far from the 3 real rows.
  await admin.query(`
    create table public.count_items (id int primary key, tag text not null);
    grant select on public.count_items to anon;
    insert into public.count_items values (1, 'a'), (2, 'a'), (3, 'b');
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query('drop table public.count_items');
  await admin.end();
});

describe('planned and estimated counts', () => {
  it('answers HEAD with count=planned with the estimate and 206', async () => {
    const estimate = await plannedRows('select 1 from public.count_items');
    expect(estimate).toBeGreaterThan(3);
    const { count, status, error } = await client().from('count_items').select('*', { head: true, count: 'planned' });
    expect(error).toBeNull();
    expect(count).toBe(estimate);
    expect(status).toBe(206);
  });

  it('estimates a filtered read with count=planned', async () => {
    const estimate = await plannedRows("select 1 from public.count_items t0 where t0.tag = 'a'");
    const { data, count, error } = await client().from('count_items').select('id', { count: 'planned' }).eq('tag', 'a');
    expect(error).toBeNull();
    expect(data).toHaveLength(2);
    expect(count).toBe(estimate);
  });

  it('answers count=estimated exactly below max_rows', async () => {
    const { count, status, error } = await client().from('count_items').select('*', { head: true, count: 'estimated' });
    expect(error).toBeNull();
    expect(count).toBe(3);
    expect(status).toBe(200);
  });

  it('refuses aggregates in select with PGRST123, as hosted projects (aggregates disabled) do', async () => {
    for (const select of ['count()', 'tag, id.sum()']) {
      const { error, status } = await client().from('count_items').select(select);
      expect(status).toBe(400);
      expect(error).toMatchObject({ code: 'PGRST123', message: 'Use of aggregate functions is not allowed' });
    }
  });
});
