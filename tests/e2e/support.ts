// What the browser specs share: the URLs and clients global-setup.ts hands over, signing in to the dashboard, and a
// visitor starting a chat in the widget on the demo page. (A spec cannot import another spec: Playwright would
// register that file's tests a second time.)
import { type Browser, type BrowserContext, expect, type Page } from '@playwright/test';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';

export const DASHBOARD = process.env.PORCHLIGHT_DASHBOARD_URL ?? 'http://127.0.0.1:3000';
export const DEMO = () => process.env.PORCHLIGHT_DEMO_URL ?? 'http://127.0.0.1:3001';

export const ACME_ADMIN = { email: 'admin@acme.test', password: 'porchlight-admin' };
export const ACME_AGENT = { email: 'agent@acme.test', password: 'porchlight-agent' };
export const GLOBEX_AGENT = { email: 'agent@globex.test', password: 'porchlight-agent' };

/** supabase-js with the service role, as server-side code would use it. */
export function serviceClient() {
  return createClient(process.env.PORCHLIGHT_SUPABASE_URL!, process.env.PORCHLIGHT_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}

/** One query as `postgres` on the e2e stack's database. */
export async function query<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: process.env.PORCHLIGHT_DB_URL });
  await db.connect();
  try {
    return (await db.query(text, values)).rows as T[];
  } finally {
    await db.end();
  }
}

/**
 * Signs in through the login form, in a new context or in `context` (one whose network a test routes), and waits
 * for the page sign-in leads to (`lands`, the inbox by default).
 */
/**
 * A dashboard page that has hydrated and joined its live channel. The server-rendered page shows before its
 * handlers exist: a status picked or a file dropped before then does nothing (as on a slow phone), and on a busy
 * CI machine one test did exactly that.
 */
export async function dashboardLive(page: Page) {
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
}

export async function signIn(
  browser: Browser,
  who: { email: string; password: string },
  opts: { context?: BrowserContext; lands?: RegExp } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = opts.context ?? (await browser.newContext({ baseURL: DASHBOARD }));
  const page = await context.newPage();
  await page.goto('/inbox');
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Finbox/);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(opts.lands ?? /\/inbox$/);
  return { context, page };
}

/** Opens the widget on the demo page and starts a conversation as a new visitor (pre-chat form, widget/locales/en.ts). */
export async function visitorStartsChat(browser: Browser, name: string, text: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(DEMO());
  await page.getByRole('button', { name: /chat/i }).first().click();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('How can we help?').fill(text);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByLabel('Type your message')).toBeVisible();
  return { context, page };
}

/** Opens the Acme widget on the demo page. */
export async function openWidget(page: Page) {
  await page.goto(DEMO());
  await page.getByRole('button', { name: 'Chat with Acme' }).click();
}

/** Starts a chat in `page` and waits until the first message is stored; returns the conversation id. */
export async function startChat(page: Page, name: string, text: string): Promise<string> {
  await openWidget(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('How can we help?').fill(text);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByLabel('Type your message')).toBeVisible();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: text })).toBeVisible();
  return page.evaluate(() => localStorage.getItem('porchlight:pk_demo_acme:conversation')!);
}

/** Types a message into the widget's composer and sends it with Enter. */
export async function send(page: Page, text: string) {
  const box = page.getByLabel('Type your message');
  await box.fill(text);
  await box.press('Enter');
}

/**
 * Resolves the conversation until the open widget shows the transcript button: the widget learns the status only
 * from conversation.updated, so a resolve before its channel joined is repeated (reopened and resolved again).
 */
export async function resolveWhileWatching(page: Page, conversationId: string) {
  await expect
    .poll(async () => {
      await query(`update public.conversations set status = 'open' where id = $1`, [conversationId]);
      await query(`update public.conversations set status = 'resolved' where id = $1`, [conversationId]);
      return page.getByRole('button', { name: 'Email me the transcript' }).isVisible();
    }, { timeout: 20_000 })
    .toBe(true);
}
