// `npm start`: the local Supabase, the agent dashboard (port 3000) and the demo page with the widget (port 3001).
// Everything stops together on Ctrl-C / SIGTERM.
import { existsSync } from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import { startFakeGraph } from '../dev/fake-graph/server.ts';
import { ROOT } from '../local-supabase/config.ts';
import { printStatus, runStack } from '../local-supabase/main.ts';
import { setJobUrls } from './job-urls.ts';

const DASHBOARD_PORT = Number(process.env.PORCHLIGHT_DASHBOARD_PORT ?? 3000);
const DEMO_PORT = Number(process.env.PORCHLIGHT_DEMO_PORT ?? 3001);

// The fake Graph API (a test double for Meta's servers) and the function secrets pointing at it.
const FAKE_GRAPH_PORT = Number(process.env.PORCHLIGHT_FAKE_GRAPH_PORT ?? 54340);
process.env.LOCAL_SUPABASE_FUNCTIONS_ENV_FILE ??= path.join(ROOT, 'dev/fake-graph/functions.env');
const fakeGraph = await startFakeGraph({ port: FAKE_GRAPH_PORT });
const stack = await runStack();
printStatus(stack);
const { cfg } = stack;
// The email transport's function secrets (config.toml) point at the mail catcher's Resend-compatible API, and the
// scheduled jobs (email, Meta delivery retry) at the local functions URL (hosted: ADR 0014). Functions read them when they first start.
process.env.EMAIL_API_URL ??= stack.mail.url;
process.env.EMAIL_API_KEY ??= 're_local_development';
process.env.EMAIL_FROM ??= 'support@porchlight.localhost';
await setJobUrls(cfg.adminDbUrl, `${cfg.apiUrl}/functions/v1`);
const lines: string[] = [];

type Stoppable = { stop(): Promise<void> | void };
const parts: Stoppable[] = [fakeGraph];

if (existsSync(path.join(ROOT, 'app/server.ts'))) {
  const dashboardModule = '../app/server.ts';
  const { startDashboard } = await import(dashboardModule);
  parts.push(
    await startDashboard({ port: DASHBOARD_PORT, supabaseUrl: cfg.apiUrl, anonKey: cfg.anonKey, serviceRoleKey: cfg.serviceRoleKey }),
  );
  lines.push(`       Dashboard: http://127.0.0.1:${DASHBOARD_PORT}`);
  lines.push('                  admin@acme.test / porchlight-admin   ·   agent@acme.test / porchlight-agent');
}
if (existsSync(path.join(ROOT, 'demo/server.ts'))) {
  const demoModule = '../demo/server.ts';
  const { startDemoServer } = await import(demoModule);
  parts.push(await startDemoServer({ port: DEMO_PORT, supabaseUrl: cfg.apiUrl, anonKey: cfg.anonKey, widgetKey: 'pk_demo_acme' }));
  lines.push(`Demo page+widget: http://127.0.0.1:${DEMO_PORT}`);
}
lines.push(`  Fake Graph API: ${fakeGraph.url}  (send a Messenger message as a user)`);
exitHook((done) => {
  Promise.all(parts.map((p) => p.stop())).then(() => done(), () => done());
});
if (lines.length) console.log(`${lines.join('\n')}\n`);
console.log('Press Ctrl-C to stop everything.');
