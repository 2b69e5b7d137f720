// What the widget costs a site's visitors, counted in real Chromium: a new visitor who never opens the chat gets no
// sign-in, socket, cookie or storage; a returning visitor opens a socket only while its conversation is recent;
// once its files are cached a page view transfers under 1 KB of them. And the dashboard's server compresses.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { ownWidget } from './own-widget.ts';
import { DASHBOARD, DEMO, query, serviceClient, startChat } from './support.ts';

const KEY = 'pk_demo_acme';
const launcher = (page: Page) => page.getByRole('button', { name: 'Chat with Acme' });
const badge = (page: Page) => page.locator('[data-porchlight]').locator('.b');
const bubbles = (page: Page) => page.locator('[data-message-id]');
const isPanel = (url: string) => /\/panel-[A-Za-z0-9]+\.js$/.test(new URL(url).pathname);
const isHelpChunk = (url: string) => /\/help-[A-Za-z0-9]+\.js$/.test(new URL(url).pathname);

/** Everything the context asks the network for, and every socket its pages open. */
function watch(context: BrowserContext) {
  const seen = { requests: [] as { method: string; url: string }[], sockets: [] as string[] };
  context.on('request', (r) => seen.requests.push({ method: r.method(), url: r.url() }));
  context.on('page', (p) => p.on('websocket', (ws) => seen.sockets.push(ws.url())));
  for (const p of context.pages()) p.on('websocket', (ws) => seen.sockets.push(ws.url()));
  return {
    ...seen,
    to: (part: string) => seen.requests.filter((r) => r.url.includes(part)),
    panelLoads: () => seen.requests.filter((r) => isPanel(r.url)),
    helpLoads: () => seen.requests.filter((r) => isHelpChunk(r.url)),
  };
}

/** What the page can see of cookies and storage. */
const storageOf = (page: Page) =>
  page.evaluate(async () => ({
    cookie: document.cookie,
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).map((d) => d.name),
  }));

/** An agent's reply, written through the API with the service role, as the dashboard stores it. */
async function agentReply(conversationId: string, body: string) {
  const { error } = await serviceClient().from('messages').insert({ id: randomUUID(), conversation_id: conversationId, sender_kind: 'agent', body });
  expect(error).toBeNull();
}

/** Moves a conversation's messages `minutes` into the past, as if it had gone quiet then. */
async function ageConversation(conversationId: string, minutes: number) {
  await query(`update public.messages set created_at = created_at - make_interval(mins => $2) where conversation_id = $1`, [conversationId, minutes]);
}

test("a new visitor's page load makes no preflight or sign-in, opens no socket, sets no cookie and writes no storage until the chat is opened", async ({ browser }) => {
  const context = await browser.newContext();
  const net = watch(context);
  const page = await context.newPage();
  const config = page.waitForResponse((r) => r.url().includes('/functions/v1/widget-config'));
  await page.goto(DEMO());
  await config;
  await expect(launcher(page)).toBeVisible();
  await page.waitForLoadState('networkidle');

  expect(net.to('/auth/v1/')).toEqual([]);
  expect(net.sockets).toEqual([]);
  expect(net.panelLoads()).toEqual([]);
  // widget-config is a CORS simple request (no apikey header): no preflight.
  expect(net.requests.filter((r) => r.method === 'OPTIONS')).toEqual([]);
  expect(net.to('/functions/v1/widget-config').map((r) => r.method)).toEqual(['GET']);
  // The page, widget.js and the widget's settings: nothing else.
  expect(net.requests.map((r) => new URL(r.url).pathname)).toEqual(['/', '/widget.js', '/functions/v1/widget-config']);
  expect(await context.cookies()).toEqual([]);
  expect(await storageOf(page)).toEqual({ cookie: '', local: [], session: [], indexedDB: [] });

  // Opening the chat loads the panel; still no sign-in or socket before the visitor writes.
  await launcher(page).click();
  await expect(page.getByLabel('Your name')).toBeVisible();
  expect(net.panelLoads()).toHaveLength(1);
  expect(net.to('/auth/v1/')).toEqual([]);
  expect(net.sockets).toEqual([]);

  // The counters see it once it happens: the first message signs in, stores the session and opens the socket.
  await page.getByLabel('Your name').fill('Nova');
  await page.getByLabel('How can we help?').fill('First words');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(bubbles(page).filter({ hasText: 'First words' })).toHaveAttribute('data-state', 'sent');
  await expect.poll(() => net.sockets.length).toBe(1);
  expect(net.to('/auth/v1/signup')).toHaveLength(1);
  expect((await storageOf(page)).local).toEqual(expect.arrayContaining([`porchlight:${KEY}:auth`, `porchlight:${KEY}:conversation`]));
  await context.close();
});

test('a returning visitor whose conversation went quiet opens no socket, gets the unread badge from one request, and goes live on open', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const conversationId = await startChat(page, 'Quinn', 'Anyone there?');
  await page.goto('about:blank');
  await agentReply(conversationId, 'Sorry for the wait: yes!');
  await ageConversation(conversationId, 120);
  await page.goto(DEMO());
  // The panel of the first visit noted when the conversation was last alive; two hours ago now.
  await page.evaluate((k) => localStorage.setItem(`porchlight:${k}:active`, String(Date.now() - 120 * 60_000)), KEY);
  await page.goto('about:blank');

  const net = watch(context);
  await page.goto(DEMO());
  await expect(badge(page)).toHaveText('1');
  // The badge came from one history request (the session is still valid: no Auth call), and no panel, no socket.
  expect(net.to('/functions/v1/widget-messages').map((r) => r.method)).toEqual(['GET']);
  expect(net.to('/auth/v1/')).toEqual([]);
  expect(net.panelLoads()).toEqual([]);
  expect(net.sockets).toEqual([]);

  await launcher(page).click();
  await expect(bubbles(page).filter({ hasText: 'Sorry for the wait: yes!' })).toBeVisible();
  await expect.poll(() => net.sockets.length).toBe(1);
  await expect(badge(page)).toBeHidden();
  await context.close();
});

test('a returning visitor with recent activity keeps a live socket while the chat is closed; only replies after the last one seen count', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const conversationId = await startChat(page, 'Remy', 'Quick question');
  await agentReply(conversationId, 'Ask away');
  await expect(bubbles(page).filter({ hasText: 'Ask away' })).toBeVisible(); // seen, with the panel open
  await page.goto('about:blank');

  const net = watch(context);
  await page.goto(DEMO());
  await expect.poll(() => net.sockets.length).toBe(1); // the panel goes live at idle, closed
  expect(net.panelLoads()).toHaveLength(1);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await agentReply(conversationId, 'Still there?');
  await expect(badge(page)).toHaveText('1');
  await context.close();
});

test('a visitor who only sent a message (no reply yet) keeps a live socket on the next page view: the send notes the activity', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await startChat(page, 'Sage', 'Just sent, nothing back yet');
  // The stored copy of the visitor's own message is the conversation's last sign of life.
  await expect.poll(() => page.evaluate((k) => Number(localStorage.getItem(`porchlight:${k}:active`)), KEY)).toBeGreaterThan(Date.now() - 60_000);
  await page.goto('about:blank');

  const net = watch(context);
  await page.goto(DEMO());
  await expect.poll(() => net.sockets.length).toBe(1); // live at idle, closed, with no reply ever received
  expect(net.panelLoads()).toHaveLength(1);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await context.close();
});

test("once the widget's files are cached, a returning visitor's page view transfers at most 1 KB of them", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  /** Bytes received for the widget's own files (headers and body as encoded on the wire) since the last call. */
  const widgetFileBytes = () => {
    let sum = 0;
    for (const [id, n] of bytes) {
      const url = urls.get(id);
      if (url && (new URL(url).pathname === '/widget.js' || isPanel(url))) sum += n;
    }
    bytes.clear();
    return sum;
  };

  // First visit: both files come over the wire (compressed), so the count sees them.
  await startChat(page, 'Cato', 'Caching, please');
  const first = widgetFileBytes();
  expect(first).toBeGreaterThan(20_000);
  expect(first).toBeLessThan(40_000);

  // The next page view (a quiet conversation: widget.js from the cache, one history request, no panel).
  await page.evaluate((k) => localStorage.setItem(`porchlight:${k}:active`, '0'), KEY);
  const looked = page.waitForResponse((r) => r.url().includes('/functions/v1/widget-messages'));
  await page.goto(DEMO());
  await looked;
  await page.waitForLoadState('networkidle');
  expect(widgetFileBytes()).toBeLessThanOrEqual(1024);
  await context.close();
});

test("a new visitor's next page view, with widget.js and its settings cached, transfers at most 1 KB for the widget", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  /** Bytes on the wire (headers and body) for widget.js, the panel and the widget's functions since the last call. */
  const widgetBytes = () => {
    let sum = 0;
    for (const [id, n] of bytes) {
      const url = new URL(urls.get(id) ?? 'http://x/');
      if (url.pathname === '/widget.js' || isPanel(url.href) || url.pathname.startsWith('/functions/v1/widget-')) sum += n;
    }
    bytes.clear();
    return sum;
  };
  const view = async () => {
    await page.goto(DEMO());
    await expect(launcher(page)).toBeVisible();
    await page.waitForLoadState('networkidle');
  };

  await view();
  expect(widgetBytes()).toBeGreaterThan(1024); // widget.js and the settings came over the wire
  await page.goto('about:blank');
  await view();
  expect(widgetBytes()).toBeLessThanOrEqual(1024);
  await context.close();
});

/** A GET of the dashboard, as sent (not decompressed). */
function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'Accept-Encoding': 'br, gzip' } }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

test('opening the chat loads the help chunk only for a company with published help articles', async ({ browser }) => {
  // Acme's seed has published articles: its panel fetches the help chunk for "Search help articles".
  const acme = await browser.newContext();
  const acmeNet = watch(acme);
  const acmePage = await acme.newPage();
  await acmePage.goto(DEMO());
  await launcher(acmePage).click();
  await expect(acmePage.getByRole('button', { name: 'Search help articles' })).toBeVisible();
  expect(acmeNet.helpLoads()).toHaveLength(1);
  await acme.close();

  // A company without articles: the open panel has no help entry and never fetches the chunk.
  const own = await ownWidget();
  const bare = await browser.newContext();
  const bareNet = watch(bare);
  const barePage = await bare.newPage();
  await barePage.goto(own.url);
  await barePage.getByRole('button', { name: 'Chat with us' }).click();
  await expect(barePage.getByLabel('How can we help?')).toBeVisible();
  await barePage.waitForLoadState('networkidle');
  expect(bareNet.panelLoads()).toHaveLength(1);
  expect(bareNet.helpLoads()).toEqual([]);
  await expect(barePage.getByRole('button', { name: 'Search help articles' })).toHaveCount(0);
  await bare.close();
});

test("the dashboard's server sends its pages and build files compressed", async ({ page }) => {
  const login = await rawGet(`${DASHBOARD}/login`);
  expect(login.status).toBe(200);
  expect(login.headers['content-encoding']).toBe('br');
  // The build's scripts, as the login page names them.
  await page.goto(`${DASHBOARD}/login`);
  const scripts = await page.evaluate(() => [...document.querySelectorAll('script[src], link[rel=modulepreload]')].map((e) => (e as HTMLScriptElement).src || (e as HTMLLinkElement).href));
  const chunks = scripts.filter((s) => s.includes('/build/'));
  expect(chunks.length).toBeGreaterThan(0);
  // Every build file is cached for good; every one worth compressing (over 1 KB: the middleware's threshold) is.
  let compressed = 0;
  for (const chunk of chunks) {
    const js = await rawGet(chunk);
    expect(js.status).toBe(200);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    if (js.headers['content-encoding'] === undefined) expect(js.body.length).toBeLessThanOrEqual(1024);
    else {
      expect(js.headers['content-encoding']).toBe('br');
      compressed += 1;
    }
  }
  expect(compressed).toBeGreaterThan(0);
});
