// Vitest global setup: one real local stack (Postgres, gateway, Deno) on free ports in a temporary
// data folder (startTemporaryStack), so tests never touch the developer's `npm start` data and can run beside it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type FakeGraph, startFakeGraph } from '../../dev/fake-graph/server.ts';
import { startTemporaryStack, type TemporaryStack } from '../../local-supabase/temporary-stack.ts';
import { TEST_CHANNEL_SECRETS_KEY } from './channel-secrets-key.ts';

let stack: TemporaryStack | undefined;
let fakeGraph: FakeGraph | undefined;

export default async function setup(project: TestProject) {
  let scratchFunctionsDir = '';
  stack = await startTemporaryStack({
    name: 'porchlight-test',
    // Test-only Edge Functions (echo, crash, …) next to the product's functions/, plus an empty folder the
    // edge-runtime tests write functions into. Deno gets an empty cache: functions must run offline from node_modules.
    async beforeStart(dir) {
      scratchFunctionsDir = path.join(dir, 'functions');
      await mkdir(scratchFunctionsDir);
      process.env.LOCAL_SUPABASE_EXTRA_FUNCTIONS_DIRS = [path.resolve('tests/fixtures/functions'), scratchFunctionsDir].join(path.delimiter);
      process.env.DENO_DIR = path.join(dir, 'deno-cache');
      // Meta's Graph API cannot exist here: the functions talk to the fake (dev/fake-graph/), tests drive it too.
      fakeGraph = await startFakeGraph();
      const envFile = path.join(dir, 'functions.env');
      await writeFile(envFile, `GRAPH_API_URL=${fakeGraph.apiUrl}\nCHANNEL_SECRETS_KEY=${TEST_CHANNEL_SECRETS_KEY}\n`);
      process.env.LOCAL_SUPABASE_FUNCTIONS_ENV_FILE = envFile;
    },
    // The whole suite signs in anonymously from 127.0.0.1 far more than hosted Auth's 30 an hour per address.
    anonymousUsersPerHour: 1_000_000,
  });
  const { cfg } = stack;
  // The email transport's function secrets (config.toml's env(...)) point at the stack's mail catcher, which speaks
  // the Resend-compatible API: the test double for an email provider. Read when a function's process starts.
  process.env.EMAIL_API_URL ??= stack.mail.url;
  process.env.EMAIL_API_KEY ??= 're_local_test_key';
  process.env.EMAIL_FROM ??= 'support@porchlight.test';
  project.provide('fakeGraphUrl', fakeGraph!.url);
  project.provide('stack', {
    apiUrl: cfg.apiUrl,
    dbUrl: cfg.dbUrl,
    adminDbUrl: cfg.adminDbUrl,
    anonKey: cfg.anonKey,
    serviceRoleKey: cfg.serviceRoleKey,
    publishableKey: cfg.publishableKey,
    secretKey: cfg.secretKey,
    jwtSecret: cfg.jwtSecret,
    scratchFunctionsDir,
    mailUrl: stack.mail.url,
  });
  return async () => {
    await stack?.stop();
    await fakeGraph?.stop();
  };
}
