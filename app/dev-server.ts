// `npm run dev:app`: `remix dev` rebuilds on change and restarts this server, which serves the new build.
import { broadcastDevReady, type ServerBuild } from '@remix-run/node';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { startDashboard } from './server.ts';

const supabaseUrl = process.env.SUPABASE_URL ?? 'http://127.0.0.1:54321';
const anonKey = process.env.SUPABASE_ANON_KEY;
if (!anonKey) throw new Error('Set SUPABASE_ANON_KEY (and SUPABASE_SERVICE_ROLE_KEY) — `npm run stack` prints them.');
process.env.NODE_ENV = 'development';
const dashboard = await startDashboard({
  port: Number(process.env.PORT ?? 3000),
  supabaseUrl,
  anonKey,
  serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY,
  rebuild: false,
});
const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
await broadcastDevReady(build);
console.log(`Dashboard (dev): ${dashboard.url}`);
