// Runs the built dashboard for a hosted Supabase project: `npm run build:app && npx tsx app/serve.ts`.
// Same server as `npm start` (same-origin and framing checks, client address for the sign-in throttle).
import { envProblems } from './lib/env.server.ts';
import { startDashboard } from './server.ts';

const problems = envProblems(process.env, { hosted: true });
if (problems.length) {
  console.error(`Cannot start the dashboard (README: "Hosted Supabase"):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
const supabaseUrl = process.env.SUPABASE_URL!;
const anonKey = process.env.SUPABASE_ANON_KEY!;
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
