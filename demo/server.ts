// The demo page (served by `npm start` on port 3001): a customer-like page embedding the widget, plus the
// built widget files (compressed and cached as demo/assets.ts says a CDN should). Builds the widget first when
// widget/dist is missing or stale.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidget, builtWidget, DIST } from '../widget/build.ts';
import { sendCompressed, serveWidgetFile } from './assets.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** True when widget/dist is missing or older than the widget's sources. */
function widgetIsStale(): boolean {
  const files = builtWidget();
  if (!files) return true;
  const built = [files.launcher, files.panel];
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs));
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  const widgetDir = path.join(HERE, '../widget');
  return Math.max(newest(path.join(widgetDir, 'src')), newest(path.join(widgetDir, 'locales'))) > builtAt;
}

export interface DemoOptions {
  port: number;
  supabaseUrl: string;
  anonKey: string;
  widgetKey: string;
  host?: string;
}

export async function startDemoServer(o: DemoOptions): Promise<{ url: string; stop(): Promise<void> }> {
  if (widgetIsStale()) await buildWidget();
  const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const template = readFileSync(path.join(HERE, 'index.html'), 'utf8')
    .replace('{{SUPABASE_URL}}', attr(o.supabaseUrl))
    .replace('{{ANON_KEY}}', attr(o.anonKey));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    if (serveWidgetFile(DIST, url.pathname.slice(1), req, res)) return;
    if (url.pathname === '/' || url.pathname === '/index.html' || url.pathname === '/pricing') {
      // ?key=pk_… embeds another company's widget (e.g. pk_demo_globex) on the same page.
      const key = url.searchParams.get('key');
      const widgetKey = key && /^pk_[A-Za-z0-9_]{6,64}$/.test(key) ? key : o.widgetKey;
      sendCompressed(req, res, 200, 'text/html; charset=utf-8', template.replace('{{WIDGET_KEY}}', attr(widgetKey)));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
