// bench:e2e's widget section: its weight (gzip), launcher visible / panel interactive in headless Chromium, what a
// page nobody clicks pays (script time, first and returning page view bytes), and an idle socket's bytes per hour.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from '@playwright/test';
import { startDemoServer } from '../../demo/server.ts';
import { ANON_KEY } from '../../local-supabase/config.ts';
import { buildWidget, DIST } from '../../widget/build.ts';
import { percentile, round } from '../support.ts';
import { ORIGIN_PORT } from './config.ts';

/** Main-thread script time per page load of other widgets (HTTP Archive 2026, median), for comparison. */
export const OTHER_WIDGETS_SCRIPT_MS = { crisp: 33, chatwoot: 102, intercom: 1433 };
/** The goal for widget.js before any interaction. */
export const WIDGET_SCRIPT_GOAL_MS = 5;
export const WIDGET_LOADS = 9;

export const isWidgetRequest = (url: string) => {
  const u = new URL(url);
  return u.pathname === '/widget.js' || /^\/panel-[A-Za-z0-9]+\.js$/.test(u.pathname) || u.pathname.startsWith('/functions/v1/widget-');
};

/**
 * One page view of the demo page, never touched: the main thread's script time (CDP Performance ScriptDuration,
 * the whole page's) and the bytes on the wire (CDP encodedDataLength), all and the widget's own.
 */
export async function pageView(page: Page, url: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  let all = 0;
  let widget = 0;
  let requests = 0;
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url);
    if (isWidgetRequest(e.request.url)) requests++;
  });
  cdp.on('Network.loadingFinished', (e) => {
    all += e.encodedDataLength;
    if (isWidgetRequest(urls.get(e.requestId) ?? 'http://x/')) widget += e.encodedDataLength;
  });
  const script = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0) * 1000;
  const before = await script();
  // Waited for from outside the page (a locator would run Playwright's own script in it, and that counts too);
  // network idle covers the settings request, which a returning view answers from the browser's cache.
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  const scriptMs = (await script()) - before;
  await cdp.detach();
  return { scriptMs, bytes: all, widgetBytes: widget, widgetRequests: requests };
}

/** How long the idle open widget's socket is watched; its frames are scaled to an hour. */
export const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 120);

/**
 * An open widget's socket doing nothing (chat started, then silence): the WebSocket frames it sends and gets
 * (CDP payloads plus each frame's header: 2 bytes, +4 for a client's mask), scaled to bytes per hour.
 */
export async function idleSocket(browser: Browser, url: string) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Chat with Acme' }).click();
  await page.getByLabel('Your name').fill('Idle');
  await page.getByLabel('How can we help?').fill('Then nothing');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.locator('[data-message-id][data-state="sent"]').waitFor();
  await new Promise((r) => setTimeout(r, 2000)); // joins and presence settled
  const cdp = await page.context().newCDPSession(page);
  let frames = 0;
  let bytes = 0;
  const frame = (client: boolean) => (e: { response: { payloadData: string } }) => {
    frames++;
    const n = Buffer.byteLength(e.response.payloadData);
    bytes += n + (n < 126 ? 2 : n < 65536 ? 4 : 10) + (client ? 4 : 0);
  };
  cdp.on('Network.webSocketFrameSent', frame(true));
  cdp.on('Network.webSocketFrameReceived', frame(false));
  await cdp.send('Network.enable');
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  await cdp.detach();
  await page.close();
  const perHour = 3600 / IDLE_SECONDS;
  return { seconds: IDLE_SECONDS, frames, bytes, framesPerHour: Math.round(frames * perHour), bytesPerHour: Math.round(bytes * perHour) };
}

export async function widgetTimings(apiUrl: string) {
  const built = await buildWidget();
  // The panel has a content-hashed name: take the built file's.
  const gz = (f: string) => gzipSync(readFileSync(f === 'panel.js' ? built.panel : path.join(DIST, f)), { level: 9 }).length;
  const demo = await startDemoServer({ port: ORIGIN_PORT, supabaseUrl: apiUrl, anonKey: ANON_KEY, widgetKey: 'pk_demo_acme' }).catch(() => null);
  if (!demo) return { launcherGzipBytes: gz('widget.js'), panelGzipBytes: gz('panel.js'), note: `port ${ORIGIN_PORT} busy: browser timings skipped` };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const visible: number[] = [];
  const interactive: number[] = [];
  for (let i = 0; i < 7; i++) {
    const page = await browser.newPage();
    await page.goto(demo.url, { waitUntil: 'commit' });
    const launcher = page.getByRole('button', { name: 'Chat with Acme' });
    await launcher.waitFor();
    visible.push(await page.evaluate(() => performance.now()));
    const t0 = await page.evaluate(() => performance.now());
    await launcher.click();
    await page.getByLabel('Your name').waitFor();
    interactive.push((await page.evaluate(() => performance.now())) - t0);
    await page.close();
  }
  // Script time: the demo page with the widget minus the same page with widget.js refused (its own inline stub),
  // a new visitor each time (a fresh context), nothing clicked. Then the same visitor's next page view (cached).
  const withWidget: number[] = [];
  const without: number[] = [];
  const first: Awaited<ReturnType<typeof pageView>>[] = [];
  const returning: Awaited<ReturnType<typeof pageView>>[] = [];
  for (let i = 0; i < WIDGET_LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const view = await pageView(page, demo.url);
    withWidget.push(view.scriptMs);
    first.push(view);
    await page.goto('about:blank');
    returning.push(await pageView(page, demo.url));
    await context.close();
    const bare = await browser.newContext();
    const bp = await bare.newPage();
    await bp.route('**/widget.js', (r) => r.abort());
    const cdp = await bare.newCDPSession(bp);
    await cdp.send('Performance.enable');
    const script = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0) * 1000;
    const before = await script();
    await bp.goto(demo.url);
    await bp.waitForLoadState('networkidle');
    without.push((await script()) - before);
    await bare.close();
  }
  const idle = IDLE_SECONDS > 0 ? await idleSocket(browser, demo.url) : null;
  await browser.close();
  await demo.stop();
  const med = (xs: number[]) => round(percentile(xs, 50));
  return {
    launcherGzipBytes: gz('widget.js'),
    panelGzipBytes: gz('panel.js'),
    launcherVisibleMs: round(percentile(visible, 50)),
    panelInteractiveAfterClickMs: round(percentile(interactive, 50)),
    // Nothing clicked: what the widget costs every page of a site.
    untouched: {
      loads: WIDGET_LOADS,
      scriptMsBeforeInteraction: round(Math.max(0, med(withWidget) - med(without))),
      scriptMsPageWithWidget: med(withWidget),
      scriptMsPageWithoutWidget: med(without),
      // The same visitor's next page view: the origin's storage is loaded in the renderer already.
      scriptMsReturningView: round(Math.max(0, med(returning.map((v) => v.scriptMs)) - med(without))),
      scriptGoalMs: WIDGET_SCRIPT_GOAL_MS,
      otherWidgetsScriptMs: OTHER_WIDGETS_SCRIPT_MS,
      firstView: { bytes: med(first.map((v) => v.bytes)), widgetBytes: med(first.map((v) => v.widgetBytes)), widgetRequests: med(first.map((v) => v.widgetRequests)) },
      returningView: { bytes: med(returning.map((v) => v.bytes)), widgetBytes: med(returning.map((v) => v.widgetBytes)), widgetRequests: med(returning.map((v) => v.widgetRequests)) },
    },
    idleOpenSocket: idle,
  };
}
