// The widget on the demo page in real Chromium: a visitor's whole path, with agent replies sent through the
// API (service role) as the dashboard would store them.
import { randomUUID } from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { createCompany } from '../support/factories.ts';
import { DEMO, openWidget, send, startChat } from './support.ts';

/** An agent's reply, written through the API with the service role (supabase-js), as the dashboard stores it. */
async function agentReply(conversationId: string, body: string) {
  const service = createClient(process.env.PORCHLIGHT_SUPABASE_URL!, process.env.PORCHLIGHT_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
  const { error, status } = await service
    .from('messages')
    .insert({ id: randomUUID(), conversation_id: conversationId, sender_kind: 'agent', author_name: 'Sam (Acme)', body });
  expect(error).toBeNull();
  expect(status).toBe(201);
}

/** The launcher has run (the embed stub defines `Porchlight` before that, without `version`). */
const launcherLoaded = (page: Page) => page.waitForFunction(() => Boolean((window as unknown as { Porchlight?: { version?: string } }).Porchlight?.version));

/**
 * The demo page embedding a widget of its own: a fresh company whose widget has the given settings.
 * Tests that change settings use one instead of editing pk_demo_acme, because the widget functions cache a
 * widget's settings for a few seconds and the other tests would see the change.
 */
async function pageWithOwnWidget(page: Page, settings: Record<string, string | number>): Promise<{ key: string }> {
  const key = `pk_e2e_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = new pg.Client({ connectionString: process.env.PORCHLIGHT_DB_URL });
  await db.connect();
  try {
    await db.query('begin');
    await createCompany(db, { name: 'Acme', widgetKey: key, widget: { allowed_origins: [DEMO()], ...settings } });
    await db.query('commit');
  } finally {
    await db.end();
  }
  // The demo page embeds the widget named by ?key= (a page served by page.route would not be allowed to reach
  // the loopback API: Chromium's local network access rules).
  await page.goto(`${DEMO()}/?key=${key}`);
  return { key };
}

const bubbles = (page: Page) => page.locator('[data-message-id]');

test('adds no global but Porchlight and no style outside its shadow root', async ({ page }) => {
  await page.goto('about:blank');
  const before = await page.evaluate(() => Object.keys(window));
  await page.goto(DEMO());
  await launcherLoaded(page);
  const fresh = await page.evaluate(() => Object.keys(window));
  const baseline = await page.evaluate(() => {
    const f = document.createElement('iframe');
    document.body.appendChild(f);
    const keys = Object.keys(f.contentWindow!);
    f.remove();
    return keys;
  });
  const added = fresh.filter((k) => !before.includes(k) && !baseline.includes(k));
  expect(added).toEqual(['Porchlight']);
  expect(await page.locator('head style, body > style').count()).toBe(1); // only the page's own <style>
  // The page's aggressive button rule does not reach the launcher.
  const bg = await page.locator('[data-porchlight]').evaluate((host) => getComputedStyle(host.shadowRoot!.querySelector('button')!).backgroundColor);
  expect(bg).not.toBe('rgb(255, 105, 180)');
  // The page's `div { border: 1px dashed }` does not reach the widget's host element either.
  expect(await page.locator('[data-porchlight]').evaluate((host) => getComputedStyle(host).borderTopStyle)).toBe('none');
});

test('open, fill the form, send; an agent reply appears live; reload keeps the history', async ({ page }) => {
  const conversationId = await startChat(page, 'Erin', 'Do you deliver on Sundays?');
  await send(page, 'Second question: gift wrap?');
  await expect(bubbles(page).filter({ hasText: 'gift wrap' })).toHaveAttribute('data-state', 'sent');
  await agentReply(conversationId, 'Yes, we deliver every day.');
  await expect(bubbles(page).filter({ hasText: 'Yes, we deliver every day.' })).toBeVisible({ timeout: 2000 });
  await page.reload();
  await page.getByRole('button', { name: 'Chat with Acme' }).click();
  await expect(bubbles(page)).toHaveText([/Sundays/, /gift wrap/, /every day/]);
});

test('two tabs stay in step', async ({ context }) => {
  const a = await context.newPage();
  const conversationId = await startChat(a, 'Tabby', 'Hello from tab A');
  const b = await context.newPage();
  await openWidget(b);
  await expect(bubbles(b).filter({ hasText: 'Hello from tab A' })).toBeVisible();
  await send(b, 'Hello from tab B');
  await expect(bubbles(a).filter({ hasText: 'Hello from tab B' })).toBeVisible();
  await agentReply(conversationId, 'Hi both tabs');
  await expect(bubbles(a).filter({ hasText: 'Hi both tabs' })).toBeVisible();
  await expect(bubbles(b).filter({ hasText: 'Hi both tabs' })).toBeVisible();
});

test('going offline and back loses nothing and doubles nothing', async ({ page, context }) => {
  const conversationId = await startChat(page, 'Otto', 'Before going offline');
  await context.setOffline(true);
  await send(page, 'Written while offline');
  await expect(bubbles(page).filter({ hasText: 'Written while offline' })).toHaveAttribute('data-state', 'sending');
  await agentReply(conversationId, 'Reply while you were away');
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(bubbles(page).filter({ hasText: 'Written while offline' })).toHaveAttribute('data-state', 'sent');
  await expect(bubbles(page).filter({ hasText: 'Reply while you were away' })).toBeVisible();
  const db = new pg.Client({ connectionString: process.env.PORCHLIGHT_DB_URL });
  await db.connect();
  const { rows } = await db.query('select body from public.messages where conversation_id = $1 order by created_at', [conversationId]);
  await db.end();
  expect(rows.map((r) => r.body)).toEqual(['Before going offline', 'Reply while you were away', 'Written while offline']);
  await expect(bubbles(page)).toHaveCount(3);
});

test('a message with HTML stays text', async ({ page }) => {
  const conversationId = await startChat(page, 'Mallory', 'Hi');
  let alerted = false;
  page.on('dialog', async (d) => {
    alerted = true;
    await d.dismiss();
  });
  const evil = '<img src=x onerror="alert(1)"><b>bold?</b> https://acme.test/x';
  await agentReply(conversationId, evil);
  const bubble = bubbles(page).filter({ hasText: 'bold?' });
  await expect(bubble).toContainText('<img src=x onerror="alert(1)"><b>bold?</b>');
  expect(await bubble.locator('img, b').count()).toBe(0);
  await expect(bubble.getByRole('link', { name: 'https://acme.test/x' })).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  expect(alerted).toBe(false);
});

test('keyboard only: Tab reaches the launcher, Enter opens, focus stays in the panel, Esc closes', async ({ page }) => {
  await page.goto(DEMO());
  await launcherLoaded(page);
  await page.getByRole('button', { name: 'Talk to us' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Chat with Acme' })).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Chat with Acme' });
  await expect(dialog.getByLabel('Your name')).toBeFocused();
  // The header's close button is the panel's first stop, the submit button its last: Tab wraps between them.
  // Between the close button and the form: the help center's entry at the end of the thread.
  await expect(dialog.getByRole('button', { name: 'Search help articles' })).toBeVisible();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Search help articles' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Close chat' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Start chat' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Close chat' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Chat with Acme' })).toBeFocused();
});

test('under 640 px wide the open panel fills the screen and inputs use 16 px text', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 700 });
  await openWidget(page);
  const dialog = page.getByRole('dialog', { name: 'Chat with Acme' });
  await expect(dialog.getByLabel('Your name')).toBeVisible();
  expect(await dialog.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 700 });
  for (const label of ['Your name', 'How can we help?']) {
    expect(await dialog.getByLabel(label).evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
  }
});

test('the theme from the widget settings: colour, position, title, greeting and launcher label', async ({ page }) => {
  await pageWithOwnWidget(page, {
    primary_color: '#10b981',
    position: 'top-left',
    title: 'Acme help desk',
    greeting: 'Howdy, rocketeer!',
    launcher_label: 'Ask Acme',
  });
  const launcher = page.getByRole('button', { name: 'Ask Acme' });
  await expect(launcher).toHaveCSS('background-color', 'rgb(16, 185, 129)');
  expect(await launcher.boundingBox()).toMatchObject({ x: 20, y: 20 });
  await launcher.click();
  const dialog = page.getByRole('dialog', { name: 'Acme help desk' });
  await expect(dialog.getByRole('heading', { name: 'Acme help desk' })).toBeVisible();
  await expect(dialog.getByText('Howdy, rocketeer!')).toBeVisible();
  expect(await dialog.boundingBox()).toMatchObject({ x: 20, y: 88 });
});

test.describe('in a German browser', () => {
  test.use({ locale: 'de-DE' });
  test('the panel speaks German', async ({ page }) => {
    await openWidget(page);
    await expect(page.getByLabel('Ihr Name')).toBeFocused();
    await page.getByRole('button', { name: 'Chat starten' }).click();
    await expect(page.getByText('Bitte ausfüllen.').first()).toBeVisible();
  });
});

test('a flood of messages shows the wait from Retry-After and keeps the refused message queued', async ({ page }) => {
  await startChat(page, 'Flo', 'Message 0');
  // The first message counted too: 20 a minute per visitor, so the 20th of these is refused.
  for (let i = 1; i <= 20; i++) await send(page, `Flood ${i}`);
  await expect(page.getByRole('status')).toHaveText(/^Too many messages\. Please wait \d+ seconds\.$/);
  await expect(bubbles(page).filter({ hasText: 'Flood 19' })).toHaveAttribute('data-state', 'sent');
  await expect(bubbles(page).filter({ hasText: 'Flood 20' })).toHaveAttribute('data-state', 'sending');
  const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem('porchlight:pk_demo_acme:outbox')!) as { body: string }[]);
  expect(outbox.map((o) => o.body)).toEqual(['Flood 20']);
});

test('the pre-chat form validates inline before anything is sent', async ({ page }) => {
  await openWidget(page);
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByText('Please fill this in.').first()).toBeVisible();
  await expect(page.getByText('Please enter a valid email address.')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('porchlight:pk_demo_acme:conversation'))).toBeNull();
});

test('a page on an origin the widget does not allow shows "chat unavailable"', async ({ page }) => {
  await page.goto(process.env.PORCHLIGHT_BLOCKED_DEMO_URL!);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByText('Chat is not available on this site right now.')).toBeVisible();
});

test('the JS API: open, close, toggle, identify, and open/close/message/unread events; unread badge while closed', async ({ page }) => {
  await page.goto(DEMO());
  await launcherLoaded(page);
  await page.evaluate(() => {
    const w = window as unknown as { Porchlight: { on(e: string, fn: (d: unknown) => void): void }; seen: string[] };
    w.seen = [];
    for (const e of ['open', 'close', 'message', 'unread']) w.Porchlight.on(e, (d) => w.seen.push(e === 'unread' ? `unread:${d}` : e));
  });
  const api = (call: 'open' | 'close' | 'toggle') =>
    page.evaluate((c) => (window as unknown as { Porchlight: Record<typeof c, () => void> }).Porchlight[c](), call);
  await page.evaluate(() => (window as unknown as { Porchlight: { identify(v: object): void } }).Porchlight.identify({ name: 'Ida Identified' }));
  await api('open');
  await expect(page.getByLabel('Your name')).toHaveValue('Ida Identified');
  await api('toggle');
  await expect(page.getByLabel('Your name')).toBeHidden();
  await api('toggle');
  await expect(page.getByLabel('Your name')).toHaveValue('Ida Identified');
  await page.getByLabel('How can we help?').fill('Via the API');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(bubbles(page).filter({ hasText: 'Via the API' })).toHaveAttribute('data-state', 'sent');
  const conversationId = await page.evaluate(() => localStorage.getItem('porchlight:pk_demo_acme:conversation')!);
  await api('close');
  await agentReply(conversationId, 'Reply while closed');
  const badge = page.locator('[data-porchlight]').locator('.b');
  await expect(badge).toHaveText('1');
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(seen).toEqual(expect.arrayContaining(['open', 'close', 'message', 'unread:1']));
  expect(seen.indexOf('open')).toBeLessThan(seen.indexOf('close'));
  await api('open');
  await expect(badge).toBeHidden();
});

test('opens by itself after the configured delay (auto-open)', async ({ page }) => {
  await pageWithOwnWidget(page, { title: 'Chat with Acme', auto_open_after_seconds: 1 });
  await expect(page.getByRole('dialog', { name: 'Chat with Acme' })).toBeVisible({ timeout: 5000 });
});

test('calls made before widget.js has loaded are queued by the embed stub and replayed', async ({ page }) => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/widget.js', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(DEMO(), { waitUntil: 'domcontentloaded' });
  await page.evaluate(() => {
    const w = window as unknown as { Porchlight: { on(e: string, fn: () => void): void; identify(v: object): void; open(): void }; opened?: boolean };
    w.Porchlight.on('open', () => {
      w.opened = true;
    });
    w.Porchlight.identify({ name: 'Quinn Queued' });
    w.Porchlight.open();
  });
  expect(await page.evaluate(() => (window as unknown as { Porchlight: { version?: string } }).Porchlight.version)).toBeUndefined();
  release();
  await expect(page.getByLabel('Your name')).toHaveValue('Quinn Queued');
  expect(await page.evaluate(() => (window as unknown as { opened?: boolean }).opened)).toBe(true);
});

test("an idle visitor's session is refreshed before it expires, and live replies keep arriving", async ({ page }) => {
  const conversationId = await startChat(page, 'Rhea', 'Still there later?');
  type Stored = { access_token: string; refresh_token: string; expires_at: number };
  const read = () => page.evaluate(() => JSON.parse(localStorage.getItem('porchlight:pk_demo_acme:auth')!) as Stored);
  const before = await read();
  // Pretend the session ends in 65 s: still valid for calls now, so only the proactive refresh may replace it.
  await page.evaluate((s) => localStorage.setItem('porchlight:pk_demo_acme:auth', JSON.stringify({ ...s, expires_at: Math.floor(Date.now() / 1000) + 65 })), before);
  await page.reload();
  await page.getByRole('button', { name: 'Chat with Acme' }).click();
  await expect(bubbles(page).filter({ hasText: 'Still there later?' })).toBeVisible();
  await expect.poll(async () => (await read()).refresh_token, { timeout: 25_000 }).not.toBe(before.refresh_token);
  const after = await read();
  expect(after.expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000) + 600);
  await agentReply(conversationId, 'Yes, still here.');
  await expect(bubbles(page).filter({ hasText: 'Yes, still here.' })).toBeVisible();
});

test('when Realtime ends the widget’s channel, the widget joins again and replies keep arriving live', async ({ page }) => {
  // The widget's real websocket, watched at the network so the test can speak to the server on it. A join counts
  // once the server has answered it "ok": from then on the channel is live.
  const joined: { joinRef: string; topic: string; server: { send(frame: string): void } }[] = [];
  await page.routeWebSocket(/\/realtime\/v1\/websocket/, (ws) => {
    const server = ws.connectToServer();
    const asked = new Map<string, string>(); // join ref → topic
    ws.onMessage((frame) => {
      // The conversation's own channel, not its typing channel (`…:typing`, issue 18).
      if (typeof frame === 'string' && frame.includes('"phx_join"') && /"realtime:conversation:[0-9a-f-]{36}"/.test(frame)) {
        const [joinRef, , topic] = JSON.parse(frame) as [string, string, string];
        asked.set(joinRef, topic);
      }
      server.send(frame);
    });
    server.onMessage((frame) => {
      if (typeof frame === 'string' && frame.includes('"phx_reply"') && frame.includes('"ok"')) {
        const [joinRef, ref, topic, , payload] = JSON.parse(frame) as [string, string, string, string, { status: string }];
        if (joinRef === ref && asked.get(joinRef) === topic && payload.status === 'ok') joined.push({ joinRef, topic, server });
      }
      ws.send(frame);
    });
  });
  const conversationId = await startChat(page, 'Ines', 'Anyone around?');
  // The first catch-up can bring a reply before the channel is live, so wait for the join first.
  await expect.poll(() => joined.length).toBeGreaterThan(0);
  await agentReply(conversationId, 'Hi Ines!');
  await expect(bubbles(page).filter({ hasText: 'Hi Ines!' })).toBeVisible();

  // A token the server rejects, sent on the widget's channel: Realtime ends it (system error, phx_close), as it
  // does when a refreshed token cannot be checked because the database is unreachable.
  const first = joined.at(-1)!;
  first.server.send(JSON.stringify([first.joinRef, 'test-1', first.topic, 'access_token', { access_token: 'not.a.token' }]));
  await expect.poll(() => joined.at(-1)!.joinRef).not.toBe(first.joinRef);

  // No focus change or reload: the reply arrives over the new channel.
  await agentReply(conversationId, 'Still here.');
  await expect(bubbles(page).filter({ hasText: 'Still here.' })).toBeVisible();
});
