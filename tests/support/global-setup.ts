// Vitest global setup: one real local stack (Postgres, gateway, Deno) on free ports in a temporary
// data folder, so tests never touch the developer's `npm start` data and can run beside it.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningStack, startStack } from '../../local-supabase/stack.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let stack: RunningStack | undefined;
let dataDir: string | undefined;

export default async function setup(project: TestProject) {
  process.env.LOCAL_SUPABASE_PG_FAST = '1';
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'porchlight-test-'));
  // Postgres runs as the `postgres` OS user when we are root: it must be able to enter the folder.
  await chmod(dataDir, 0o755);
  // Test-only Edge Functions (echo, crash, …) next to the product's functions/, plus an empty folder the
  // edge-runtime tests write functions into. Deno gets an empty cache: functions must run offline from node_modules.
  const scratchFunctionsDir = path.join(dataDir, 'functions');
  await mkdir(scratchFunctionsDir);
  process.env.LOCAL_SUPABASE_EXTRA_FUNCTIONS_DIRS = [path.resolve('tests/fixtures/functions'), scratchFunctionsDir].join(path.delimiter);
  process.env.DENO_DIR = path.join(dataDir, 'deno-cache');
  stack = await startStack({
    apiPort: await freePort(),
    dbPort: await freePort(),
    dataDir: path.join(dataDir, 'db'),
    quiet: !process.env.LOCAL_SUPABASE_DEBUG,
    // The whole suite signs in anonymously from 127.0.0.1 far more than hosted Auth's 30 an hour per address.
    anonymousUsersPerHour: 1_000_000,
  });
  const { cfg } = stack;
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
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
