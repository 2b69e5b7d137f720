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
import { chromium } from '@playwright/test';
import pg from 'pg';
import { startDashboard } from '../../app/server.ts';
import { ANON_KEY, SERVICE_ROLE_KEY } from '../../local-supabase/config.ts';
import { percentile, report, round, startStackProcess } from '../support.ts';
import { BEFORE_DIR, BIG_CONVERSATION_MESSAGES, CONVERSATIONS, RUNS } from './config.ts';
import { type Cost, countSupabaseCalls, messageCost, per } from './message-cost.ts';
import { MARKS, type Mark, marks, ttfb } from './page-marks.ts';
import { seed } from './seed.ts';

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
