// The agent dashboard in real Chromium, with a second browser context acting as a visitor on the demo page.
// Uses the seeded logins (README) and the stack, dashboard and demo page that playwright.config.ts starts.
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { ACME_ADMIN, ACME_AGENT, DASHBOARD, DEMO, GLOBEX_AGENT, query, send, signIn, visitorStartsChat } from './support.ts';

test.describe.configure({ mode: 'serial' });

function row(page: Page, visitorName: string) {
  return page.getByTestId('conversation-list').locator('li', { hasText: visitorName });
}

/** The loader re-reads a context's pages make: with single fetch, one GET <path>.data per round (paging aside). */
function countReReads(context: BrowserContext) {
  const reads: string[] = [];
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (r.method() === 'GET' && url.pathname.endsWith('.data') && url.pathname !== '/inbox/older.data') reads.push(url.pathname + url.search);
  });
  return reads;
}

test('a visitor’s conversation appears live, the reply reaches the widget, presence and unread follow', async ({ browser }) => {
  const agent = await signIn(browser, ACME_AGENT);
  const visitorName = `Visitor ${Date.now().toString(36)}`;
  const visitor = await visitorStartsChat(browser, visitorName, 'Do you ship to Norway?');

  // New conversation and its first message show up without a reload.
  const item = row(agent.page, visitorName);
  await expect(item).toBeVisible();
  await expect(item.getByTestId('preview')).toHaveText('Do you ship to Norway?');
  await expect(item.getByTestId('unread-badge')).toHaveText('1');
  await expect(item.getByTestId('presence-dot')).toHaveAttribute('data-online', 'true');

  // A second message re-orders and updates live.
  const box = visitor.page.getByLabel('Type your message');
  await box.fill('And to Sweden?');
  await box.press('Enter');
  await expect(item.getByTestId('preview')).toHaveText('And to Sweden?');
  await expect(agent.page.getByTestId('conversation-list').locator('li').first()).toContainText(visitorName);
  await expect(item.getByTestId('unread-badge')).toHaveText('2');

  // Opening it clears the unread badge; the header says Online.
  await item.getByRole('link').click();
  await expect(agent.page.getByTestId('conversation-title')).toHaveText(visitorName);
  await expect(agent.page.getByTestId('presence-label')).toHaveText('Online');
  await expect(item.getByTestId('unread-badge')).toHaveCount(0);

  // Reply with Enter; it reaches the widget.
  const composer = agent.page.getByLabel('Reply');
  await composer.fill('Yes, we ship to both!');
  await composer.press('Enter');
  await expect(agent.page.getByTestId('messages').getByText('Yes, we ship to both!')).toBeVisible();
  await expect(visitor.page.getByText('Yes, we ship to both!')).toBeVisible();

  // The visitor leaves: the dot turns grey and the header says Offline.
  await visitor.context.close();
  await expect(agent.page.getByTestId('presence-label')).toHaveText('Offline');
  await expect(item.getByTestId('presence-dot')).toHaveAttribute('data-online', 'false');
  await agent.context.close();
});

test('a message stored after the inbox rendered but before its live updates joined still shows once they join', async ({ browser }) => {
  const visitorName = `Early ${Date.now().toString(36)}`;
  const visitor = await visitorStartsChat(browser, visitorName, 'Is anyone there?');

  // The dashboard's real websocket to the stack, with its company-channel join held back at the network: a slow
  // join (a busy server, a reconnect) leaves the same gap between the server-rendered inbox and live updates.
  const context = await browser.newContext({ baseURL: DASHBOARD });
  let holding = true;
  const held: (() => void)[] = [];
  await context.routeWebSocket(/\/realtime\/v1\/websocket/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      if (holding && typeof frame === 'string' && frame.includes('"phx_join"') && frame.includes('realtime:company:')) held.push(() => server.send(frame));
      else server.send(frame);
    });
    server.onMessage((frame) => ws.send(frame));
  });
  const { page } = await signIn(browser, ACME_AGENT, { context });
  const item = row(page, visitorName);
  await expect(item.getByTestId('preview')).toHaveText('Is anyone there?');
  await expect.poll(() => held.length).toBeGreaterThan(0);

  // Stored while the join is held: no live event can reach this page.
  const box = visitor.page.getByLabel('Type your message');
  await box.fill('Hello? Still there?');
  await box.press('Enter');
  await expect(visitor.page.locator('[data-message-id][data-state="sent"]', { hasText: 'Hello? Still there?' })).toBeVisible();
  await expect(item.getByTestId('preview')).toHaveText('Is anyone there?');

  // Joining re-reads the inbox.
  holding = false;
  for (const send of held.splice(0)) send();
  await expect(item.getByTestId('preview')).toHaveText('Hello? Still there?');
  await expect(item.getByTestId('unread-badge')).toHaveText('2');
  await visitor.context.close();
  await context.close();
});

test('when Realtime ends the dashboard’s live channel, the dashboard opens it again and catches up', async ({ browser }) => {
  const visitorName = `Closed ${Date.now().toString(36)}`;
  const visitor = await visitorStartsChat(browser, visitorName, 'First question');

  // The dashboard's real websocket, watched at the network so the test can speak to the server on it.
  const context = await browser.newContext({ baseURL: DASHBOARD });
  const companyJoins: { joinRef: string; topic: string; server: { send(frame: string): void } }[] = [];
  await context.routeWebSocket(/\/realtime\/v1\/websocket/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      if (typeof frame === 'string' && frame.includes('"phx_join"') && frame.includes('realtime:company:')) {
        const [joinRef, , topic] = JSON.parse(frame) as [string, string, string];
        companyJoins.push({ joinRef, topic, server });
      }
      server.send(frame);
    });
    server.onMessage((frame) => ws.send(frame));
  });
  const { page } = await signIn(browser, ACME_AGENT, { context });
  await expect(page.locator('.live')).toHaveClass(/live-live/);
  const item = row(page, visitorName);
  await expect(item.getByTestId('preview')).toHaveText('First question');

  // A token the server rejects, sent on the company channel: Realtime ends that channel (system error, phx_close),
  // as it does when a refreshed token cannot be checked because the database is unreachable.
  const joined = companyJoins.at(-1)!;
  joined.server.send(JSON.stringify([joined.joinRef, 'test-1', joined.topic, 'access_token', { access_token: 'not.a.token' }]));
  await expect(page.locator('.live')).toHaveClass(/live-offline/);

  // A new join; then live updates arrive again.
  await expect.poll(() => companyJoins.at(-1)!.joinRef).not.toBe(joined.joinRef);
  await expect(page.locator('.live')).toHaveClass(/live-live/);
  const box = visitor.page.getByLabel('Type your message');
  await box.fill('Second question');
  await box.press('Enter');
  await expect(item.getByTestId('preview')).toHaveText('Second question');
  await visitor.context.close();
  await context.close();
});

test('two agents in two browsers: a read, a reply, an assignment and a status change by one show in the other’s inbox without a re-read', async ({
  browser,
}) => {
  const visitorName = `Team ${Date.now().toString(36)}`;
  const one = await signIn(browser, ACME_AGENT);
  const other = await signIn(browser, ACME_ADMIN);
  const mine = await other.context.newPage();
  await mine.goto('/inbox?scope=mine');
  await expect(other.page.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
  await expect(mine.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
  const visitor = await visitorStartsChat(browser, visitorName, 'Who can help me?');
  const theirs = row(other.page, visitorName);
  await expect(theirs.getByTestId('unread-badge')).toHaveText('1');
  await expect(row(mine, visitorName)).toHaveCount(0);
  // From here on the other agent's pages only listen: every change arrives as one broadcast.
  await other.page.waitForLoadState('networkidle');
  await mine.waitForLoadState('networkidle');
  const reReads = countReReads(other.context);

  // A read: the first agent opens the conversation.
  await row(one.page, visitorName).getByRole('link').click();
  await expect(one.page.getByTestId('conversation-title')).toHaveText(visitorName);
  await expect(theirs.getByTestId('unread-badge')).toHaveCount(0);

  // A reply.
  const composer = one.page.getByLabel('Reply');
  await composer.fill('I can, one moment.');
  await composer.press('Enter');
  await expect(theirs.getByTestId('preview')).toHaveText('I can, one moment.');

  // An assignment to the other agent: the row arrives in their "Mine".
  const [admin] = await query<{ id: string }>(`select id from auth.users where email = $1`, [ACME_ADMIN.email]);
  await one.page.getByTestId('conversation').getByLabel('Assignee').selectOption(admin!.id);
  await expect(row(mine, visitorName)).toBeVisible();
  await expect(row(mine, visitorName).getByTestId('preview')).toHaveText('I can, one moment.');

  // A status change: pending leaves both "Open" views.
  await one.page.getByTestId('conversation').getByLabel('Status').selectOption('pending');
  await expect(row(other.page, visitorName)).toHaveCount(0);
  await expect(row(mine, visitorName)).toHaveCount(0);

  expect(reReads).toEqual([]);
  await visitor.context.close();
  await one.context.close();
  await other.context.close();
});

test('after Realtime ends the live channel, the tab catches up from the database once when it is back', async ({ browser }) => {
  const visitorName = `Gap ${Date.now().toString(36)}`;
  const visitor = await visitorStartsChat(browser, visitorName, 'Before the outage');
  const context = await browser.newContext({ baseURL: DASHBOARD });
  let holding = false;
  const held: (() => void)[] = [];
  const companyJoins: { joinRef: string; topic: string; server: { send(frame: string): void } }[] = [];
  await context.routeWebSocket(/\/realtime\/v1\/websocket/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      if (typeof frame === 'string' && frame.includes('"phx_join"') && frame.includes('realtime:company:')) {
        const [joinRef, , topic] = JSON.parse(frame) as [string, string, string];
        companyJoins.push({ joinRef, topic, server });
        if (holding) {
          held.push(() => server.send(frame));
          return;
        }
      }
      server.send(frame);
    });
    server.onMessage((frame) => ws.send(frame));
  });
  const { page } = await signIn(browser, ACME_AGENT, { context });
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
  const item = row(page, visitorName);
  await expect(item.getByTestId('preview')).toHaveText('Before the outage');
  await page.waitForLoadState('networkidle');
  const reReads = countReReads(context);

  // Realtime ends the channel; the new join is held, so what is stored meanwhile cannot arrive as an event.
  holding = true;
  const joined = companyJoins.at(-1)!;
  joined.server.send(JSON.stringify([joined.joinRef, 'test-1', joined.topic, 'access_token', { access_token: 'not.a.token' }]));
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'offline');
  await send(visitor.page, 'During the outage');
  await expect(visitor.page.locator('[data-message-id][data-state="sent"]', { hasText: 'During the outage' })).toBeVisible();
  await expect.poll(() => held.length).toBeGreaterThan(0);
  await expect(item.getByTestId('preview')).toHaveText('Before the outage');
  expect(reReads).toEqual([]);

  // Back: one read from the database brings the missed message.
  holding = false;
  for (const release of held.splice(0)) release();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
  await expect(item.getByTestId('preview')).toHaveText('During the outage');
  await expect(item.getByTestId('unread-badge')).toHaveText('2');
  await page.waitForLoadState('networkidle');
  expect(reReads).toHaveLength(1);
  await visitor.context.close();
  await context.close();
});

test('changing the widget colour in settings changes the demo widget after reload', async ({ browser }) => {
  // A random colour may fail the widget's contrast checks in later specs: put Acme's back afterwards.
  const [before] = await query<{ primary_color: string }>(`select primary_color from public.widget_configs where widget_key = 'pk_demo_acme'`);
  try {
    await changeColourAndSeeIt(browser);
  } finally {
    await query(`update public.widget_configs set primary_color = $1 where widget_key = 'pk_demo_acme'`, [before!.primary_color]);
  }
});

async function changeColourAndSeeIt(browser: Browser) {
  const admin = await signIn(browser, ACME_ADMIN);
  await admin.page.goto('/settings/widget');
  const colour = `#${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
  await admin.page.getByLabel('Primary colour').fill(colour);
  // By keyboard: the live preview loading beside the form can move the button between Playwright's aim and its
  // click on a busy machine (in one CI run the Save submitted nothing).
  await admin.page.getByRole('button', { name: 'Save settings' }).press('Enter');
  await expect(admin.page.getByText('Saved.')).toBeVisible();

  const visitorContext = await admin.context.browser()!.newContext();
  const demo = await visitorContext.newPage();
  await demo.goto(DEMO());
  const launcher = demo.getByRole('button', { name: /chat/i }).first();
  await expect(launcher).toBeVisible();
  const rgb = `rgb(${parseInt(colour.slice(1, 3), 16)}, ${parseInt(colour.slice(3, 5), 16)}, ${parseInt(colour.slice(5, 7), 16)})`;
  await expect(launcher).toHaveCSS('background-color', rgb);
  await visitorContext.close();
  await admin.context.close();
}

test('an agent of another company sees nothing of Acme', async ({ browser }) => {
  // An Acme conversation id, from an Acme agent's inbox.
  const acme = await signIn(browser, ACME_AGENT);
  await acme.page.goto('/inbox?status=all');
  const first = acme.page.getByTestId('conversation-list').locator('li').first();
  const acmeId = await first.getAttribute('data-conversation-id');
  const acmeName = (await first.getByTestId('visitor-name').textContent()) ?? '';
  expect(acmeId).toBeTruthy();
  await acme.context.close();

  const globex = await signIn(browser, GLOBEX_AGENT);
  await globex.page.goto('/inbox?status=all');
  await expect(globex.page.getByTestId('conversation-list').locator(`li[data-conversation-id="${acmeId}"]`)).toHaveCount(0);
  await expect(globex.page.getByText(acmeName, { exact: true })).toHaveCount(0);
  await expect(globex.page.getByRole('link', { name: 'Widget' })).toHaveCount(0);
  const res = await globex.page.goto(`/inbox/${acmeId}`);
  expect(res?.status()).toBe(404);
  await expect(globex.page.getByText('No such conversation.')).toBeVisible();
  await globex.context.close();
});

test('an agent is not offered the admin pages, and opening one shows a 403 inside the dashboard that names the role', async ({ browser }) => {
  const agent = await signIn(browser, ACME_AGENT);
  const nav = agent.page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /Inbox/ })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Team' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Widget' })).toHaveCount(0);
  for (const [path, page] of [
    ['/team', 'team'],
    ['/settings/widget', 'widget settings'],
  ] as const) {
    const res = await agent.page.goto(path);
    expect(res?.status()).toBe(403);
    await expect(agent.page.getByRole('heading', { level: 1 })).toHaveText('Admins only');
    await expect(agent.page.getByRole('alert')).toContainText(`The ${page} page needs the admin role`);
    await expect(agent.page.getByText('Something went wrong')).toHaveCount(0);
    // Still inside the dashboard: its navigation leads back to the inbox.
    await expect(nav.getByRole('link', { name: /Inbox/ })).toBeVisible();
  }
  await nav.getByRole('link', { name: /Inbox/ }).click();
  await expect(agent.page).toHaveURL(/\/inbox$/);
  await agent.context.close();

  const admin = await signIn(browser, ACME_ADMIN);
  const adminNav = admin.page.getByRole('navigation', { name: 'Main' });
  await expect(adminNav.getByRole('link', { name: 'Team' })).toBeVisible();
  await expect(adminNav.getByRole('link', { name: 'Widget' })).toBeVisible();
  await admin.context.close();
});
