// npm run bench:dashboard — the agent dashboard with the 100k-conversation data set, in headless Chromium:
// time from navigation start to the inbox's first page rendered, and to a conversation's messages rendered
// (after clicking it in the inbox, and on a direct load of its URL). All 100,000 conversations belong to the
// agent's company (the worst case for its inbox); the one opened is the newest and has 2,000 messages.
// Times are taken in the page (see MARKS), with the server's share (time to first byte) beside them.
// Then the cost per message (issue 15): an agent tab with the conversation open while the visitor writes N messages
// (700 ms apart); the tab's HTTP requests (dashboard and Supabase API) and the Supabase calls they cause in the
// dashboard's server (counted by a counting fetch in this process, which serves the dashboard). Measured for this
// tree and, in the same run, for the code before (BENCH_BEFORE_DIR, a worktree of e9a9b1c with its own npm ci).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import pg from 'pg';
import { type RunningDashboard, startDashboard } from '../app/server.ts';
import { ANON_KEY, SERVICE_ROLE_KEY } from '../local-supabase/config.ts';
import { insertAnonymousUsers, percentile, report, round, startStackProcess, withoutBroadcasts } from './support.ts';

const ACME = 'c0000000-0000-4000-8000-00000000ac3e';
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const MESSAGES_PER_CONVERSATION = Number(process.env.BENCH_MESSAGES_PER_CONVERSATION ?? 3);
const BIG_CONVERSATION_MESSAGES = 2_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const COST_MESSAGES = Number(process.env.BENCH_COST_MESSAGES ?? 10);
const BEFORE_DIR = process.env.BENCH_BEFORE_DIR ?? '/tmp/before-dash';

/** Supabase calls made by this process (the dashboard's server), counted at its fetch. */
const supabaseCalls = { total: 0, auth: 0 };
function countSupabaseCalls(apiUrl: string) {
  const origin = new URL(apiUrl).origin;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.origin === origin) {
      supabaseCalls.total++;
      if (url.pathname === '/auth/v1/user') supabaseCalls.auth++;
    }
    return realFetch(input, init);
  };
}

interface Cost {
  messages: number;
  tabRequests: number;
  dashboardRequests: number;
  supabaseApiRequests: number;
  revalidationRounds: number;
  pagingRequests: number;
  routeDiscoveryRequests: number;
  actionRequests: number;
  loaderCalls: number;
  serverSupabaseCalls: number;
  serverAuthCalls: number;
  /** One revalidation round made on purpose after the messages: its Supabase calls, and how many were Auth. */
  roundSupabaseCalls: number;
  roundAuthCalls: number;
  requests: string[];
}

/**
 * One agent tab on `dashboard` with the conversation open; the visitor's messages are stored as the widget's RPC
 * stores them (a visitor row through the same triggers and broadcasts), 700 ms apart.
 */
async function messageCost(
  browser: Browser,
  dashboard: RunningDashboard,
  apiUrl: string,
  db: pg.Client,
  conversationId: string,
  tag: string,
  isSingleFetch: boolean,
): Promise<Cost> {
  const context = await browser.newContext({ baseURL: dashboard.url });
  const page = await context.newPage();
  const seen: { method: string; url: URL }[] = [];
  const origins = new Set([new URL(dashboard.url).origin, new URL(apiUrl).origin]);
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (origins.has(url.origin)) seen.push({ method: r.method(), url });
  });
  await page.goto('/login');
  await page.getByLabel('Email').fill('agent@acme.test');
  await page.getByLabel('Password').fill('porchlight-agent');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/inbox$/);
  await page.goto(`/inbox/${conversationId}`);
  await page.getByTestId('live-status').and(page.locator('[data-status="live"]')).waitFor();
  // The join's catch-up read and the open's read are done before counting starts.
  await page.waitForTimeout(4000);
  await page.waitForLoadState('networkidle');
  seen.length = 0;
  const before = { ...supabaseCalls };
  for (let i = 1; i <= COST_MESSAGES; i++) {
    const body = `Cost ${tag} <${i}>`;
    await db.query(`insert into public.messages (conversation_id, company_id, sender_kind, body) values ($1, $2, 'visitor', $3)`, [conversationId, ACME, body]);
    await page.getByTestId('messages').getByText(body).waitFor();
    await page.waitForTimeout(700);
  }
  // Whatever a message set off (a throttled read, a debounced re-read) has gone out and come back.
  await page.waitForTimeout(4000);
  await page.waitForLoadState('networkidle');
  const counted = seen.slice();
  // One revalidation round as the tab's Remix makes it (single fetch: one GET <path>.data for all loaders; before
  // it: one GET ?_data=<route> per loader), and the Supabase calls it costs the server.
  const atRound = { ...supabaseCalls };
  await page.evaluate(async (single) => {
    const path = location.pathname;
    if (single) await (await fetch(`${path}.data`)).text();
    else
      await Promise.all(
        ['routes/_dashboard', 'routes/_dashboard.inbox', 'routes/_dashboard.inbox.$conversationId'].map(async (r) => (await fetch(`${path}?_data=${encodeURIComponent(r)}`)).text()),
      );
  }, isSingleFetch);
  const round = { supabase: supabaseCalls.total - atRound.total, auth: supabaseCalls.auth - atRound.auth };
  await context.close();
  seen.splice(0, seen.length, ...counted);
  const dashOrigin = new URL(dashboard.url).origin;
  const dash = seen.filter((r) => r.url.origin === dashOrigin);
  // Single fetch: one GET <path>.data per round (all its loaders). Before it: one GET ?_data=<route> per loader.
  // (An older inbox page fetched on scroll is a .data GET too, of its own resource route: paging, not a re-read.)
  const singleFetch = dash.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('.data') && r.url.pathname !== '/inbox/older.data');
  const paging = dash.filter((r) => r.url.pathname.startsWith('/inbox/older'));
  const discovery = dash.filter((r) => r.url.pathname === '/__manifest');
  const actions = dash.filter((r) => r.method === 'POST');
  const perLoader = dash.filter((r) => r.method === 'GET' && r.url.searchParams.has('_data'));
  const layoutCalls = perLoader.filter((r) => r.url.searchParams.get('_data') === 'routes/_dashboard');
  const loaderCalls =
    perLoader.length +
    singleFetch.reduce((n, r) => n + (r.url.searchParams.get('_routes')?.split(',').length ?? 3), 0);
  return {
    messages: COST_MESSAGES,
    tabRequests: seen.length,
    dashboardRequests: dash.length,
    supabaseApiRequests: seen.length - dash.length,
    revalidationRounds: singleFetch.length + layoutCalls.length,
    pagingRequests: paging.length,
    routeDiscoveryRequests: discovery.length,
    actionRequests: actions.length,
    loaderCalls,
    serverSupabaseCalls: supabaseCalls.total - round.supabase - before.total,
    serverAuthCalls: supabaseCalls.auth - round.auth - before.auth,
    roundSupabaseCalls: round.supabase,
    roundAuthCalls: round.auth,
    requests: seen.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`),
  };
}

const per = (n: number, d: number) => (d ? round(n / d, 2) : 0);

async function seed(dbUrl: string): Promise<{ seconds: number; messages: number }> {
  const t0 = Date.now();
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await withoutBroadcasts(db, async () => {
    await insertAnonymousUsers(db, CONVERSATIONS);
    await db.query(
      `insert into public.visitors (company_id, user_id, name, email)
       select $1, u.id, 'Visitor ' || row_number() over (), 'visitor' || row_number() over () || '@example.com'
       from auth.users u where u.is_anonymous and not exists (select 1 from public.visitors v where v.user_id = u.id)`,
      [ACME],
    );
    // Newest first: conversation n had its last message n seconds ago (the seeded demo ones are older still).
    await db.query(
      `insert into public.conversations (company_id, visitor_id, status, last_message_at, last_message_preview, unread_count)
       select $1, v.id, (array['open','open','pending','resolved'])[1 + (n % 4)]::public.conversation_status,
              now() - (n || ' seconds')::interval, 'Message ${MESSAGES_PER_CONVERSATION}', n % 3
       from (select id, row_number() over () as n from public.visitors where company_id = $1 and name like 'Visitor %') v`,
      [ACME],
    );
    await db.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
       select c.id, c.company_id, 'visitor', 'Message ' || g, c.last_message_at - ((${MESSAGES_PER_CONVERSATION} - g) || ' seconds')::interval
       from public.conversations c cross join generate_series(1, $2::int) g
       where c.company_id = $1 and c.last_message_preview = 'Message ${MESSAGES_PER_CONVERSATION}'`,
      [ACME, MESSAGES_PER_CONVERSATION],
    );
    const { rows } = await db.query(`select id, last_message_at from public.conversations where company_id = $1 and status = 'open' order by last_message_at desc limit 1`, [ACME]);
    await db.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
       select $1, $2, case when g % 2 = 0 then 'agent' else 'visitor' end::public.message_sender_kind, 'Long thread ' || g,
              $3::timestamptz - ((${BIG_CONVERSATION_MESSAGES} - g) || ' seconds')::interval - interval '1 hour'
       from generate_series(1, ${BIG_CONVERSATION_MESSAGES}) g`,
      [rows[0].id, ACME, rows[0].last_message_at],
    );
  });
  await db.query('vacuum analyze public.conversations');
  await db.query('vacuum analyze public.messages');
  const count = await db.query('select count(*)::int as n from public.messages');
  await db.end();
  return { seconds: round((Date.now() - t0) / 1000, 1), messages: count.rows[0].n };
}

// In-page marks, so Playwright's polling and its round trips to the browser are not in the figures: a
// MutationObserver notes (performance.now(), ms since navigation start) when the first inbox row and the
// newest message of the big conversation enter the DOM, and the next animation frame after that (painted).
const MARKS = `
  window.__bench = { row: null, newest: null, clickAt: null };
  const seen = (key, at) => { if (window.__bench[key] === null) { window.__bench[key] = { inserted: at, painted: null }; requestAnimationFrame(() => (window.__bench[key].painted = performance.now())); } };
  const check = () => {
    const at = performance.now();
    if (window.__bench.row === null && document.querySelector('[data-testid="conversation-list"] li')) seen('row', at);
    if (window.__bench.newest === null) for (const m of document.querySelectorAll('[data-testid="message"]')) if (m.textContent.includes('Long thread ${BIG_CONVERSATION_MESSAGES}')) { seen('newest', at); break; }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
`;
type Mark = { inserted: number; painted: number };
const marks = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { row: Mark | null; newest: Mark | null; clickAt: number | null } }).__bench);
/** Server time: navigation start to the first byte of the HTML. */
const ttfb = (page: Page) => page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).responseStart);

async function main() {
  const stack = await startStackProcess();
  const data = await seed(stack.dbUrl);
  countSupabaseCalls(stack.apiUrl);
  const dashboard = await startDashboard({ port: 0, supabaseUrl: stack.apiUrl, anonKey: ANON_KEY, serviceRoleKey: SERVICE_ROLE_KEY });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ baseURL: dashboard.url });
  await context.addInitScript(MARKS);
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill('agent@acme.test');
  await page.getByLabel('Password').fill('porchlight-agent');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/inbox$/);

  const firstRow = page.locator('[data-testid="conversation-list"] li').first();
  const newest = page.locator('[data-testid="message"]', { hasText: `Long thread ${BIG_CONVERSATION_MESSAGES}` });
  const inbox: number[] = [];
  const inboxServer: number[] = [];
  const afterClick: number[] = [];
  const direct: number[] = [];
  const directServer: number[] = [];
  let conversationUrl = '';
  for (let run = -1; run < RUNS; run++) {
    // run -1 warms the server, the browser cache and Postgres.
    await page.goto('/inbox', { waitUntil: 'commit' });
    await firstRow.waitFor();
    await page.waitForFunction(() => (window as unknown as { __bench: { row: Mark | null } }).__bench.row?.painted);
    const inboxMarks = await marks(page);
    const inboxTtfb = await ttfb(page);
    await page.waitForLoadState('load');
    // The click: timed in the page from the click to the newest message painted (client-side navigation).
    await page.evaluate(() => {
      const b = (window as unknown as { __bench: { clickAt: number | null } }).__bench;
      document.addEventListener('click', () => (b.clickAt = performance.now()), { capture: true, once: true });
    });
    await firstRow.locator('a').first().click();
    await newest.waitFor();
    await page.waitForFunction(() => (window as unknown as { __bench: { newest: Mark | null } }).__bench.newest?.painted);
    const clickMarks = await marks(page);
    conversationUrl = page.url();
    await page.goto(conversationUrl, { waitUntil: 'commit' });
    await newest.waitFor();
    await page.waitForFunction(() => (window as unknown as { __bench: { newest: Mark | null } }).__bench.newest?.painted);
    const directMarks = await marks(page);
    const directTtfb = await ttfb(page);
    if (run >= 0) {
      inbox.push(inboxMarks.row!.painted);
      inboxServer.push(inboxTtfb);
      afterClick.push(clickMarks.newest!.painted - clickMarks.clickAt!);
      direct.push(directMarks.newest!.painted);
      directServer.push(directTtfb);
    }
  }
  const rendered = await page.locator('[data-testid="message"]').count();
  await context.close();

  // Cost per message, this tree and the code before, in the same run on the same data.
  const db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
  const conversationId = conversationUrl.split('/inbox/')[1]!.split('?')[0]!;
  const cost: { after: Cost; before: Cost | null } = { after: await messageCost(browser, dashboard, stack.apiUrl, db, conversationId, 'after', true), before: null };
  await dashboard.stop();
  if (existsSync(path.join(BEFORE_DIR, 'app/server.ts')) && existsSync(path.join(BEFORE_DIR, 'node_modules'))) {
    const old = (await import(path.join(BEFORE_DIR, 'app/server.ts'))) as { startDashboard: typeof startDashboard };
    const beforeDashboard = await old.startDashboard({ port: 0, supabaseUrl: stack.apiUrl, anonKey: ANON_KEY, serviceRoleKey: SERVICE_ROLE_KEY });
    cost.before = await messageCost(browser, beforeDashboard, stack.apiUrl, db, conversationId, 'before', false);
    await beforeDashboard.stop();
  } else {
    console.log(`(no ${BEFORE_DIR} with node_modules: the cost before is not measured)`);
  }
  await db.end();
  await browser.close();
  await stack.stop();

  const stats = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), n: xs.length });
  const figures = {
    inboxFirstPage: stats(inbox),
    inboxServer: stats(inboxServer),
    conversationAfterClick: stats(afterClick),
    conversationDirectLoad: stats(direct),
    conversationDirectServer: stats(directServer),
  };
  const costRows = (label: string, c: Cost | null): [string, string | number, string][] =>
    c
      ? [
          [`${label}: requests per message per tab`, per(c.tabRequests, c.messages), `≤ 0.5 (${c.tabRequests} for ${c.messages}: ${c.dashboardRequests} dashboard [${c.actionRequests} actions, ${c.pagingRequests} paging, ${c.routeDiscoveryRequests} route discovery], ${c.supabaseApiRequests} Supabase API)`],
          [`${label}: revalidation rounds per message`, per(c.revalidationRounds, c.messages), `≤ 0.1 (${c.revalidationRounds} rounds, ${c.loaderCalls} loader calls)`],
          [`${label}: server Supabase calls per message`, per(c.serverSupabaseCalls, c.messages), `${c.serverSupabaseCalls} calls, ${c.serverAuthCalls} of them Auth`],
          [`${label}: Supabase calls per revalidation round`, c.roundSupabaseCalls, `of them Auth: ${c.roundAuthCalls} (budget: 1 Auth per round)`],
        ]
      : [[`${label}`, '—', 'not measured']];
  report(
    'dashboard',
    {
      data: { conversations: CONVERSATIONS, messages: data.messages, seedSeconds: data.seconds, openedConversationMessages: BIG_CONVERSATION_MESSAGES, messagesRendered: rendered },
      runs: RUNS,
      ...figures,
      costPerMessage: { messagesMs: 700, ...cost },
    },
    [
      ...costRows(`before (${BEFORE_DIR})`, cost.before),
      ...costRows('after (this tree)', cost.after),
      ['data set', `${CONVERSATIONS} conv / ${data.messages} msgs`, `one company (the agent's); seeded in ${data.seconds} s`],
      ['inbox first page rendered p50/p95 (ms)', `${figures.inboxFirstPage.p50} / ${figures.inboxFirstPage.p95}`, 'navigation start → first conversation row painted'],
      ['  of which server (TTFB) p50/p95 (ms)', `${figures.inboxServer.p50} / ${figures.inboxServer.p95}`, 'navigation start → first byte of the HTML (loaders + render)'],
      ['conversation after click p50/p95 (ms)', `${figures.conversationAfterClick.p50} / ${figures.conversationAfterClick.p95}`, `click → newest of ${BIG_CONVERSATION_MESSAGES} messages painted (${rendered} rendered)`],
      ['conversation direct load p50/p95 (ms)', `${figures.conversationDirectLoad.p50} / ${figures.conversationDirectLoad.p95}`, 'navigation start → newest message painted'],
      ['  of which server (TTFB) p50/p95 (ms)', `${figures.conversationDirectServer.p50} / ${figures.conversationDirectServer.p95}`, 'navigation start → first byte of the HTML'],
    ],
  );
  process.exit(0);
}

await main();
