// Conformance: a media type the stand-in does not serve (PostgREST's CSV, GeoJSON, EXPLAIN plans, nulls=stripped,
// CSV bodies) fails through postgrest-js with PGRST107 naming it, never JSON the client did not ask for (issue 17).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, serviceClient } from '../../tests/support/stack.ts';

let admin: pg.Client;

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create table public.media_items (id int primary key, label text);
    insert into public.media_items values (1, 'one'), (2, null);
    grant all on public.media_items to service_role;
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query('drop table public.media_items');
  await admin.end();
});

describe('media types the stand-in does not serve', () => {
  it.each([
    ['csv()', 'text/csv', (q: any) => q.csv()],
    ['geojson()', 'application/geo+json', (q: any) => q.geojson()],
    ['explain()', 'application/vnd.pgrst.plan', (q: any) => q.explain()],
    ['stripNulls()', 'nulls=stripped', (q: any) => q.stripNulls()],
  ])('refuses %s with 406 PGRST107 naming the media type', async (_name, named, apply) => {
    const res = await apply(serviceClient().from('media_items').select('*'));
    expect(res.status).toBe(406);
    expect(res.data).toBeNull();
    expect(res.error).toMatchObject({ code: 'PGRST107' });
    expect(res.error.message).toContain(named);
    expect(res.error.hint).toMatch(/local stand-in answers JSON only/);
  });

  it('still answers JSON and the singular object', async () => {
    const many = await serviceClient().from('media_items').select('*').order('id');
    expect(many.error).toBeNull();
    expect(many.data).toEqual([{ id: 1, label: 'one' }, { id: 2, label: null }]);
    const one = await serviceClient().from('media_items').select('label').eq('id', 1).single();
    expect(one.data).toEqual({ label: 'one' });
  });

  it('refuses a CSV request body with 415 and writes nothing', async () => {
    const svc = serviceClient();
    const url = `${(svc as any).rest.url}/media_items`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...(svc as any).rest.headers, 'Content-Type': 'text/csv', apikey: (svc as any).supabaseKey },
      body: 'id,label\n3,three',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'PGRST107', message: 'None of these media types are available: text/csv' });
    expect((await admin.query('select count(*)::int n from public.media_items')).rows[0].n).toBe(2);
  });
});
