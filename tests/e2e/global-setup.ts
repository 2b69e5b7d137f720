// Starts everything the browser tests need, like `npm start` does but on free ports and a temporary database:
// the local Supabase, the dashboard, the demo page (an allowed origin) and a second page on an origin the widget
// does not allow. URLs reach the specs through process.env.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startDashboard } from '../../app/server.ts';
import { startDemoServer } from '../../demo/server.ts';
import { startFakeGraph } from '../../dev/fake-graph/server.ts';
import { freePort, startTemporaryStack } from '../../local-supabase/temporary-stack.ts';
import { setJobUrls } from '../../scripts/job-urls.ts';
import { TEST_CHANNEL_SECRETS_KEY } from '../support/channel-secrets-key.ts';

export default async function globalSetup() {
  // Meta's Graph API cannot exist here: the functions talk to the fake (dev/fake-graph/, a test double).
  const fakeGraph = await startFakeGraph();
  const envFile = path.join(await mkdtemp(path.join(tmpdir(), 'porchlight-e2e-env-')), 'functions.env');
  await writeFile(envFile, `GRAPH_API_URL=${fakeGraph.apiUrl}\nCHANNEL_SECRETS_KEY=${TEST_CHANNEL_SECRETS_KEY}\n`);
  process.env.LOCAL_SUPABASE_FUNCTIONS_ENV_FILE = envFile;
  const stack = await startTemporaryStack({
    name: 'porchlight-e2e',
    // Every browser visitor signs in anonymously from 127.0.0.1: far more than hosted Auth's 30 an hour per address.
    anonymousUsersPerHour: 1_000_000,
  });
  const { cfg } = stack;
  // As `npm start`: the email secrets at the mail catcher's Resend-compatible API (the email-provider double), the
  // scheduled jobs at this stack's functions (ADR 0014).
  process.env.EMAIL_API_URL ??= stack.mail.url;
  process.env.EMAIL_API_KEY ??= 're_local_e2e';
  process.env.EMAIL_FROM ??= 'support@porchlight.test';
  await setJobUrls(cfg.adminDbUrl, `${cfg.apiUrl}/functions/v1`);
  const demo = await startDemoServer({ port: await freePort(), supabaseUrl: cfg.apiUrl, anonKey: cfg.anonKey, widgetKey: 'pk_demo_acme' });
  const blocked = await startDemoServer({ port: await freePort(), supabaseUrl: cfg.apiUrl, anonKey: cfg.anonKey, widgetKey: 'pk_demo_acme' });
  const dashboard = await startDashboard({
    port: await freePort(),
    supabaseUrl: cfg.apiUrl,
    anonKey: cfg.anonKey,
    serviceRoleKey: cfg.serviceRoleKey,
    widgetScriptUrl: `${demo.url}/widget.js`,
  });
  // The seeded widget allows the fixed demo ports; allow this run's demo page and dashboard preview too.
  const db = new pg.Client({ connectionString: cfg.dbUrl });
  await db.connect();
  await db.query(`update public.widget_configs set allowed_origins = allowed_origins || $1::text[] where widget_key = 'pk_demo_acme'`, [[demo.url, dashboard.url]]);
  await db.end();

  Object.assign(process.env, {
    PORCHLIGHT_SUPABASE_URL: cfg.apiUrl,
    PORCHLIGHT_DB_URL: cfg.dbUrl,
    PORCHLIGHT_ANON_KEY: cfg.anonKey,
    PORCHLIGHT_SERVICE_ROLE_KEY: cfg.serviceRoleKey,
    PORCHLIGHT_DEMO_URL: demo.url,
    PORCHLIGHT_BLOCKED_DEMO_URL: blocked.url,
    PORCHLIGHT_DASHBOARD_URL: dashboard.url,
    PORCHLIGHT_MAIL_URL: stack.mail.url,
    PORCHLIGHT_FAKE_GRAPH_URL: fakeGraph.url,
  });
  return async () => {
    await dashboard.stop();
    await demo.stop();
    await blocked.stop();
    await stack.stop();
    await fakeGraph.stop();
  };
}
