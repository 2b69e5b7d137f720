// `npm run dev:app` (remix dev --manual): serves the dashboard and swaps in each new build remix dev writes.
import { watchFile } from 'node:fs';
import path from 'node:path';
import { broadcastDevReady } from '@remix-run/node';
import { startDashboard } from './server.ts';

const supabaseUrl = process.env.SUPABASE_URL ?? 'http://127.0.0.1:54321';
const anonKey = process.env.SUPABASE_ANON_KEY;
if (!anonKey) throw new Error('Set SUPABASE_ANON_KEY (and SUPABASE_SERVICE_ROLE_KEY): `npm run stack` prints them.');
process.env.NODE_ENV = 'development';
const dashboard = await startDashboard({
  port: Number(process.env.PORT ?? 3000),
  supabaseUrl,
  anonKey,
  serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY,
  rebuild: false,
});
console.log(`Dashboard (dev): ${dashboard.url}`);
watchFile(path.resolve('build/index.js'), { interval: 300 }, () => {
  void dashboard.reload().then((build) => broadcastDevReady(build));
});
await broadcastDevReady(await dashboard.reload());
