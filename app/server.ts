// Serves the built Remix dashboard over Node HTTP (Express + @remix-run/express). `npm start` calls
// startDashboard with the local stack's URL and keys; on hosted Supabase, app/serve.ts calls it with the
// SUPABASE_* variables. Either way every request passes the same-origin and framing checks first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import express from 'express';
import { compressResponses } from './lib/compression.server.ts';
import { clientAddress, frameHeaders, sameOriginWrites } from './lib/same-origin.server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_FILE = path.join(ROOT, 'build/index.js');

export interface DashboardOptions {
  port: number;
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey?: string;
  widgetScriptUrl?: string;
  host?: string;
  /** Rebuild when app/ changed since the last build (default true). */
  rebuild?: boolean;
  /** The dashboard's public origin when a proxy serves it under another one (default: DASHBOARD_ORIGIN, else each request's own). */
  origin?: string;
  /**
   * How many proxies in front of the dashboard append to X-Forwarded-For (default: DASHBOARD_TRUST_PROXY, else 0).
   * Only then are X-Forwarded-For and X-Forwarded-Proto believed; else the socket's address is the client's.
   */
  trustProxy?: number;
}

export interface RunningDashboard {
  url: string;
  port: number;
  /** Re-imports build/index.js (after `remix dev` rebuilt it) and returns the new build. */
  reload(): Promise<ServerBuild>;
  stop(): Promise<void>;
}

async function importBuild(): Promise<ServerBuild> {
  return (await import(`${pathToFileURL(BUILD_FILE).href}?t=${statSync(BUILD_FILE).mtimeMs}`)) as ServerBuild;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `remix build` when build/ is missing or older than app/ (or remix.config.js). */
export function ensureBuilt(force = false) {
  const stale =
    force ||
    !existsSync(BUILD_FILE) ||
    // A development build left by `npm run dev:app` is not what `npm start` should serve.
    readFileSync(BUILD_FILE, 'utf8').includes('mode = "development"') ||
    statSync(BUILD_FILE).mtimeMs < Math.max(newestMtime(path.join(ROOT, 'app')), statSync(path.join(ROOT, 'remix.config.js')).mtimeMs);
  if (!stale) return;
  const remix = path.join(ROOT, 'node_modules/.bin/remix');
  const res = spawnSync(remix, ['build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (res.status !== 0) throw new Error(`remix build failed (exit ${res.status})`);
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  process.env.SUPABASE_URL = opts.supabaseUrl;
  process.env.SUPABASE_ANON_KEY = opts.anonKey;
  if (opts.serviceRoleKey) process.env.SUPABASE_SERVICE_ROLE_KEY = opts.serviceRoleKey;
  if (opts.widgetScriptUrl) process.env.WIDGET_SCRIPT_URL = opts.widgetScriptUrl;
  if (opts.rebuild !== false) ensureBuilt();
  let build = await importBuild();
  const mode = process.env.NODE_ENV === 'development' ? 'development' : 'production';

  const app = express();
  app.disable('x-powered-by');
  const trustProxy = opts.trustProxy ?? Number(process.env.DASHBOARD_TRUST_PROXY || 0);
  if (!Number.isInteger(trustProxy) || trustProxy < 0) throw new Error('DASHBOARD_TRUST_PROXY must be a number of proxies (0 or more)');
  app.set('trust proxy', trustProxy);
  app.use(compressResponses());
  app.use(frameHeaders);
  app.use(sameOriginWrites({ origin: opts.origin ?? (process.env.DASHBOARD_ORIGIN || undefined) }));
  app.use('/build', express.static(path.join(ROOT, 'public/build'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(path.join(ROOT, 'public'), { maxAge: '1h', index: false }));
  // The sign-in throttle needs the client's address, which only the server knows.
  const getLoadContext = (req: express.Request) => ({ clientAddress: clientAddress(req) });
  let handler = createRequestHandler({ build, mode, getLoadContext });
  app.all('*', (req, res, next) => handler(req, res, next));

  const host = opts.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port, host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${host}:${port}`,
    port,
    async reload() {
      build = await importBuild();
      handler = createRequestHandler({ build, mode, getLoadContext });
      return build;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
