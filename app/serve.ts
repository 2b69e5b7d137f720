// Runs the built dashboard for a hosted Supabase project: `npm run build:app && npx tsx app/serve.ts`.
// Same server as `npm start` (same-origin and framing checks, client address for the sign-in throttle).
import { startDashboard } from './server.ts';

const supabaseUrl = process.env.SUPABASE_URL;
const anonKey = process.env.SUPABASE_ANON_KEY;
if (!supabaseUrl || !anonKey) throw new Error('Set SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY (README: hosted Supabase).');
process.env.NODE_ENV ??= 'production';
const dashboard = await startDashboard({
  port: Number(process.env.PORT || 3000),
  host: process.env.HOST || '0.0.0.0',
  supabaseUrl,
  anonKey,
  serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY,
  widgetScriptUrl: process.env.WIDGET_SCRIPT_URL,
  rebuild: false,
});
console.log(`Dashboard: ${dashboard.url}`);
