// What a visitor's message costs an agent's open tab (issue 15), counted, not timed: the HTTP requests the tab
// makes to the dashboard and to the Supabase API while the visitor writes into the conversation on its screen, and
// that a tab nobody looks at keeps its unread count.
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { ACME_AGENT, DASHBOARD, query, send, signIn, visitorStartsChat } from './support.ts';

test.describe.configure({ mode: 'serial' });

const MESSAGES = 5;

function row(page: Page, visitorName: string) {
  return page.getByTestId('conversation-list').locator('li', { hasText: visitorName });
}

/** Every HTTP request the context's pages make (a websocket is not one), split by where it goes. */
function countRequests(context: BrowserContext) {
  const supabase = new URL(process.env.PORCHLIGHT_SUPABASE_URL!).origin;
  const dashboard = new URL(DASHBOARD).origin;
  const seen: { url: string; method: string }[] = [];
  context.on('request', (r) => {
    const origin = new URL(r.url()).origin;
    if (origin === supabase || origin === dashboard) seen.push({ url: r.url(), method: r.method() });
  });
  return {
    start() {
      seen.length = 0;
    },
    all: () => [...seen],
    // With single fetch, a loader revalidation round is one GET of <path>.data.
    revalidations: () => seen.filter((r) => r.method === 'GET' && new URL(r.url).pathname.endsWith('.data')),
  };
}

test(`${MESSAGES} visitor messages into the open conversation cost its agent tab ≤ 0.5 requests each and ≤ 0.1 revalidations`, async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: DASHBOARD });
  const requests = countRequests(context);
  const { page } = await signIn(browser, ACME_AGENT, { context });
  const visitorName = `Cost ${Date.now().toString(36)}`;
  const visitor = await visitorStartsChat(browser, visitorName, 'First question');
  await row(page, visitorName).getByRole('link').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(visitorName);
  await expect(page.getByTestId('messages').getByText('First question')).toBeVisible();
  await expect(row(page, visitorName).getByTestId('unread-badge')).toHaveCount(0);
  // The open's own requests (the navigation, its read) are done once the database says read.
  await expect.poll(async () => (await query<{ n: number }>('select unread_count as n from public.conversations c join public.visitors v on v.id = c.visitor_id where v.name = $1', [visitorName]))[0]?.n).toBe(0);
  await page.waitForLoadState('networkidle');

  requests.start();
  for (let i = 1; i <= MESSAGES; i++) {
    await send(visitor.page, `Follow-up ${i}`);
    await expect(page.getByTestId('messages').getByText(`Follow-up ${i}`)).toBeVisible();
    await expect(row(page, visitorName).getByTestId('preview')).toHaveText(`Follow-up ${i}`);
  }
  // The throttled read of the last messages goes out; after it the database says read and nothing more is sent.
  await expect
    .poll(async () => (await query<{ n: number }>('select unread_count as n from public.conversations c join public.visitors v on v.id = c.visitor_id where v.name = $1', [visitorName]))[0]?.n, { timeout: 15_000 })
    .toBe(0);
  await page.waitForLoadState('networkidle');

  const all = requests.all();
  const revalidations = requests.revalidations();
  console.log(`agent tab, ${MESSAGES} messages: ${all.length} requests, ${revalidations.length} revalidations`, all.map((r) => `${r.method} ${new URL(r.url).pathname}`));
  test.info().annotations.push({ type: 'requests', description: JSON.stringify(all.map((r) => `${r.method} ${new URL(r.url).pathname}`)) });
  expect(all.length / MESSAGES, JSON.stringify(all)).toBeLessThanOrEqual(0.5);
  expect(revalidations.length / MESSAGES, JSON.stringify(revalidations)).toBeLessThanOrEqual(0.1);
  // Every message is on screen once, in order.
  await expect(page.getByTestId('messages').getByTestId('message').filter({ hasText: 'Follow-up' })).toHaveCount(MESSAGES);
  await visitor.context.close();
  await context.close();
});

test('a hidden tab with the conversation open keeps its unread count until it is shown again', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: DASHBOARD });
  // Headless pages are always visible: this tab says it is hidden and unfocused, as a background tab does.
  await context.addInitScript(() => {
    const w = window as unknown as { __hidden: boolean };
    w.__hidden = false;
    Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { get: () => w.__hidden });
    const hasFocus = document.hasFocus.bind(document);
    document.hasFocus = () => !w.__hidden && hasFocus();
  });
  const { page } = await signIn(browser, ACME_AGENT, { context });
  const visitorName = `Hidden ${Date.now().toString(36)}`;
  const visitor = await visitorStartsChat(browser, visitorName, 'Anyone?');
  await row(page, visitorName).getByRole('link').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(visitorName);
  const unreadInDb = async () =>
    (await query<{ n: number }>('select unread_count as n from public.conversations c join public.visitors v on v.id = c.visitor_id where v.name = $1', [visitorName]))[0]?.n;
  await expect.poll(unreadInDb).toBe(0);

  await page.evaluate(() => {
    (window as unknown as { __hidden: boolean }).__hidden = true;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('blur'));
  });
  await send(visitor.page, 'Hello while you are away');
  await send(visitor.page, 'And again');
  await expect(page.getByTestId('messages').getByText('And again')).toBeVisible();
  await expect(row(page, visitorName).getByTestId('unread-badge')).toHaveText('2');
  await expect(page).toHaveTitle(/^\(\d+\) Porchlight$/);
  // Past the read throttle: still unread, in the tab and in the database.
  await page.waitForTimeout(4000);
  expect(await unreadInDb()).toBe(2);
  await expect(row(page, visitorName).getByTestId('unread-badge')).toHaveText('2');

  // Shown again: the agent sees the conversation, so it is read.
  await page.evaluate(() => {
    (window as unknown as { __hidden: boolean }).__hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('focus'));
  });
  await expect.poll(unreadInDb).toBe(0);
  await expect(row(page, visitorName).getByTestId('unread-badge')).toHaveCount(0);
  await visitor.context.close();
  await context.close();
});
