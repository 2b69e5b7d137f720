// bench:dashboard's cost per message (issue 15): an agent tab with the conversation open while the visitor writes,
// its HTTP requests and the Supabase calls they cause in the dashboard's server (counted at this process's fetch).
import type { Browser } from '@playwright/test';
import type pg from 'pg';
import type { RunningDashboard } from '../../app/server.ts';
import { round } from '../support.ts';
import { ACME, COST_MESSAGES } from './config.ts';

/** Supabase calls made by this process (the dashboard's server), counted at its fetch. */
export const supabaseCalls = { total: 0, auth: 0 };
export function countSupabaseCalls(apiUrl: string) {
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

export interface Cost {
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
export async function messageCost(
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

export const per = (n: number, d: number) => (d ? round(n / d, 2) : 0);
