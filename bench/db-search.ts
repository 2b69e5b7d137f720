// bench:db's search part (issue 24): one company with 100,000 conversations and 1,000,000 messages of skewed
// vocabulary (English, German, unknown), seeded in SQL; then a message insert's cost without and with the search
// indexes, and public.search_conversations as an agent for words, fragments, no-match and email fragments.
// Budget: p95 ≤ 100 ms for each kind; the insert may cost at most 20 % more with the indexes.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { addMember, createAuthUser, createCompany } from '../tests/support/factories.ts';
import { insertAnonymousUsers, percentile, round, withoutBroadcasts } from './support.ts';

const CONVERSATIONS = Number(process.env.BENCH_SEARCH_CONVERSATIONS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 60);
const INSERTS = Number(process.env.BENCH_SEARCH_INSERTS ?? 300);

const SEARCH_INDEXES = {
  messages_search_idx: 'create index messages_search_idx on public.messages using gin (search_vector)',
  visitors_search_trgm_idx: 'create index visitors_search_trgm_idx on public.visitors using gin (private.visitor_search_text(name, email) extensions.gin_trgm_ops)',
};

// Most common first: a word's index sets how often it is drawn (about 1/rank), so "order" is in a third of the
// messages and the tail words in a few hundred. German words go to German visitors' messages.
const ENGLISH =
  'order thanks please help delivery package hello question account payment refund shipping invoice address return tracking password login email discount coupon size colour stock cancel warranty broken damaged replacement subscription upgrade receipt courier voucher exchange checkout basket wishlist'.split(
    ' ',
  );
// A long tail of rarer words (product codes), so "rare" means a few hundred messages in a million.
const TAIL = Array.from({ length: 3000 }, (_, i) => `sku${i + 1}`);
const GERMAN = 'bestellung danke bitte hilfe lieferung paket hallo frage konto zahlung erstattung versand rechnungen adresse rücksendung sendungsverfolgung passwort anmeldung gutschein größe farbe storno garantie kaputt beschädigt ersatz abonnement quittung umtausch warenkorb'.split(' ');
ENGLISH.push(...TAIL);
GERMAN.push(...TAIL);
const FIRST = 'Anna Ben Clara David Emma Felix Greta Hugo Ida Jonas Klara Leon Mia Noah Olivia Paul Quinn Rosa Samuel Tara Umar Vera Will Xenia Yusuf Zoe'.split(' ');
const LAST = 'Schmidt Müller Kowalski Smith Johnson Novak Rossi Garcia Nielsen Dubois Fischer Weber Wagner Becker Hoffmann Brown Taylor Wilson Moore Clark'.split(' ');
const DOMAINS = ['gmail.example', 'posteo.example', 'outlook.example', 'web.example', 'shop-mail.example'];

export async function dropSearchIndexes(db: pg.Client): Promise<void> {
  for (const name of Object.keys(SEARCH_INDEXES)) await db.query(`drop index if exists public.${name}`);
}

async function createSearchIndexes(db: pg.Client): Promise<number> {
  const t = performance.now();
  await db.query(`set maintenance_work_mem = '256MB'`);
  for (const sql of Object.values(SEARCH_INDEXES)) await db.query(sql);
  await db.query('reset maintenance_work_mem');
  return (performance.now() - t) / 1000;
}

export async function seedSearchCompany(db: pg.Client, companyId: string): Promise<void> {
  await insertAnonymousUsers(db, CONVERSATIONS);
  await db.query('select setseed(0.24)');
  await db.query(
    `insert into public.visitors (company_id, user_id, name, email, locale)
     select $1, u.id, f || ' ' || l, lower(f || '.' || l || n || '@' || d), case when n % 5 = 0 then 'de-DE' when n % 5 = 1 then null else 'en-GB' end
     from (select id, row_number() over () n from auth.users u where u.is_anonymous and not exists (select 1 from public.visitors v where v.user_id = u.id) limit $2) u
     cross join lateral (select ($3::text[])[1 + (n * 7) % array_length($3::text[], 1)] f, ($4::text[])[1 + (n * 13) % array_length($4::text[], 1)] l,
                                ($5::text[])[1 + n % array_length($5::text[], 1)] d) x`,
    [companyId, CONVERSATIONS, FIRST, LAST, DOMAINS],
  );
  await db.query(
    `insert into public.conversations (company_id, visitor_id, status, last_message_at, last_message_preview)
     select v.company_id, v.id, (array['open','open','pending','resolved'])[1 + (row_number() over ()) % 4]::public.conversation_status,
            now() - ((row_number() over ()) || ' minutes')::interval, 'Preview'
     from public.visitors v where v.company_id = $1`,
    [companyId],
  );
  // Each message 5–11 words; word rank r drawn with probability about 1/r (exp of a uniform over log ranks).
  await db.query(
    `insert into public.messages (conversation_id, company_id, sender_kind, body, search_language, created_at)
     select c.id, c.company_id, case when k % 2 = 0 then 'visitor' else 'agent' end::public.message_sender_kind,
            (select string_agg(case when c.lang = 'german' then g.words[least(floor(exp(random() * ln(array_length(g.words, 1) + 1)))::int + 0 * w, array_length(g.words, 1))]
                                    else e.words[least(floor(exp(random() * ln(array_length(e.words, 1) + 1)))::int + 0 * w, array_length(e.words, 1))] end, ' ')
               from generate_series(1, 5 + (k + c.n) % 7) w), -- w in the argument keeps the aggregate in this subquery
            c.lang, c.last_message_at - (k || ' minutes')::interval
     from (select c.id, c.company_id, c.last_message_at, row_number() over () n, private.search_language_for_locale(v.locale) lang
             from public.conversations c join public.visitors v on v.id = c.visitor_id where c.company_id = $1) c
     cross join generate_series(0, $2::int - 1) k
     cross join (select $3::text[] words) e cross join (select $4::text[] words) g`,
    [companyId, Math.round(MESSAGES / CONVERSATIONS), ENGLISH, GERMAN],
  );
}

/** Committed one-row message inserts (triggers and broadcasts included): ms each, and WAL bytes written per insert. */
async function insertCost(db: pg.Client, companyId: string): Promise<{ p50: number; p95: number; mean: number; walBytes: number }> {
  const convs = (await db.query(`select id from public.conversations where company_id = $1 order by last_message_at desc limit 50`, [companyId])).rows.map((r) => r.id);
  const times: number[] = [];
  let lsn = '';
  for (let i = 0; i < INSERTS + 20; i++) {
    if (i === 20) lsn = (await db.query('select pg_current_wal_insert_lsn()::text as l')).rows[0].l;
    const start = performance.now();
    await db.query(`insert into public.messages (conversation_id, company_id, sender_kind, body) values ($1, $2, 'visitor', $3)`, [
      convs[i % convs.length],
      companyId,
      `${ENGLISH[i % ENGLISH.length]} insert cost probe ${GERMAN[i % GERMAN.length]} ${i}`,
    ]);
    if (i >= 20) times.push(performance.now() - start);
  }
  const wal = Number((await db.query(`select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn) as d`, [lsn])).rows[0].d);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { p50: round(percentile(times, 50), 3), p95: round(percentile(times, 95), 3), mean: round(mean, 3), walBytes: Math.round(wal / INSERTS) };
}

// Each kind cycles through its queries; every run is a fresh call as the agent (role and claims as PostgREST sets them).
const KINDS: Record<string, string[]> = {
  'common word': ['order', 'thanks', 'bestellung'],
  'rare word': ['sku2917', 'sku1234', 'warenkorb'],
  'two words': ['refund payment', 'invoice address'],
  'German word form': ['Rechnung', 'Lieferungen'],
  'word fragment (prefix)': ['deliv', 'subscr', 'rücksend'],
  'name fragment': ['kowals', 'nielse', 'Klara Dub'],
  'name typo': ['Kowalsky', 'Hofman'],
  'email fragment': [], // three visitors' address fragments, read from the seeded data
  'no match': ['xylophone', 'zzqqvv'],
};

export async function searchBench(db: pg.Client) {
  const t0 = Date.now();
  const { companyId } = await createCompany(db, { name: 'Search bench', widget: false });
  const id = randomUUID();
  const agent = await createAuthUser(db, { id, email: `bench-search-${id}@example.com` });
  await addMember(db, companyId, agent, 'agent', 'Search agent');
  await withoutBroadcasts(db, () => seedSearchCompany(db, companyId));
  await db.query('vacuum analyze public.visitors');
  await db.query('vacuum analyze public.conversations');
  await db.query('vacuum analyze public.messages');
  const seedSeconds = (Date.now() - t0) / 1000;
  const counts = (
    await db.query(
      `select (select count(*) from public.conversations where company_id = $1)::int as c, (select count(*) from public.messages where company_id = $1)::int as m`,
      [companyId],
    )
  ).rows[0];

  // Without, with, without, with: the machine's drift between phases shows, and the means cancel most of it.
  // Each phase starts right after a checkpoint: building an index and vacuuming write enough WAL to trigger one,
  // and the full-page images after it would be charged to whichever phase came next.
  const admin = new pg.Client({ host: db.host, port: db.port, user: 'supabase_admin', password: 'postgres', database: 'postgres' });
  await admin.connect();
  const measure = async () => {
    await admin.query('checkpoint');
    return insertCost(db, companyId);
  };
  const phases: Awaited<ReturnType<typeof insertCost>>[][] = [[], []];
  let indexSeconds = 0;
  for (let round = 0; round < 2; round++) {
    if (round > 0) await dropSearchIndexes(db);
    phases[0]!.push(await measure());
    indexSeconds = await createSearchIndexes(db);
    await db.query('vacuum analyze public.messages');
    await db.query('vacuum analyze public.visitors');
    phases[1]!.push(await measure());
  }
  await admin.end();
  const meanOf = (runs: Awaited<ReturnType<typeof insertCost>>[]) => ({
    p50: round(runs.reduce((a, r) => a + r.p50, 0) / runs.length, 3),
    p95: round(runs.reduce((a, r) => a + r.p95, 0) / runs.length, 3),
    mean: round(runs.reduce((a, r) => a + r.mean, 0) / runs.length, 3),
    walBytes: Math.round(runs.reduce((a, r) => a + r.walBytes, 0) / runs.length),
  });
  const without = meanOf(phases[0]!);
  const withIndexes = meanOf(phases[1]!);
  await db.query('vacuum analyze public.messages'); // the probes' pending entries merged, as autovacuum would

  KINDS['email fragment'] = (
    await db.query(
      `select substr(email, 3, 12) as q from (select email, row_number() over (order by id) n from public.visitors where company_id = $1) v where n in (11, 4242, 77777 % greatest(1, $2))`,
      [companyId, counts.c],
    )
  ).rows.map((r) => r.q);
  const claims = JSON.stringify({ sub: agent, role: 'authenticated' });
  const results: Record<string, { p50: number; p95: number; rows: number[] }> = {};
  for (const [kind, queries] of Object.entries(KINDS)) {
    const times: number[] = [];
    const rows = new Map<string, number>();
    for (let i = 0; i < RUNS + 6; i++) {
      const q = queries[i % queries.length]!;
      await db.query('begin');
      await db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
      const start = performance.now();
      const r = await db.query('select * from public.search_conversations($1, $2)', [companyId, q]);
      const ms = performance.now() - start;
      await db.query('commit');
      rows.set(q, r.rowCount ?? 0);
      if (i >= 6) times.push(ms); // the first runs warm the cache
    }
    results[kind] = { p50: round(percentile(times, 50), 2), p95: round(percentile(times, 95), 2), rows: queries.map((q) => rows.get(q) ?? 0) };
  }
  const growth = round((withIndexes.mean / without.mean - 1) * 100, 1);
  const walGrowth = round((withIndexes.walBytes / without.walBytes - 1) * 100, 1);
  const data = { conversations: counts.c, messages: counts.m, runs: RUNS, seedSeconds: round(seedSeconds, 1), indexSeconds: round(indexSeconds, 1), insert: { without, withIndexes, phases, growthPercent: growth, walGrowthPercent: walGrowth }, queries: results, budgetP95Ms: 100 };
  const table: [string, string | number, string][] = [
    ['search company conversations / messages', `${counts.c} / ${counts.m}`, `seeded in ${round(seedSeconds, 1)} s, search indexes built in ${round(indexSeconds, 1)} s`],
    ['insert without search indexes p50 / p95 / mean (ms)', `${without.p50} / ${without.p95} / ${without.mean}`, `2 × ${INSERTS} committed message inserts (triggers included), alternating with the other row; ${without.walBytes} WAL bytes each`],
    ['insert with search indexes p50 / p95 / mean (ms)', `${withIndexes.p50} / ${withIndexes.p95} / ${withIndexes.mean}`, `mean ${growth >= 0 ? '+' : ''}${growth} % (budget ≤ +20 %: ${growth <= 20 ? 'met' : 'MISSED'}); ${withIndexes.walBytes} WAL bytes each (${walGrowth >= 0 ? '+' : ''}${walGrowth} %)`],
    ...Object.entries(results).flatMap(([kind, r]): [string, string | number, string][] => [
      [`search: ${kind} p50 (ms)`, r.p50, `${KINDS[kind]!.map((q, i) => `"${q}" ${r.rows[i]} rows`).join(', ')}`],
      [`search: ${kind} p95 (ms)`, r.p95, `budget ≤ 100: ${r.p95 <= 100 ? 'met' : 'MISSED'}`],
    ]),
  ];
  return { data, table };
}
