// A whole local Supabase on free ports in a temporary data folder, removed again when it stops: for test suites
// and benchmarks, which must run beside `npm start` (and each other) without touching its ports or data.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, type StackOptions } from './config.ts';
import { type RunningStack, startStack } from './stack.ts';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
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

interface TemporaryOptions {
  /** Start of the temporary folder's name (under the OS temp dir). */
  name?: string;
  /** Durable commits, for tests that crash Postgres; by default fsync and synchronous commit are off (fast). */
  durable?: boolean;
}

/** A temporary folder Postgres can use. */
async function temporaryDir(o: TemporaryOptions): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${o.name ?? 'local-supabase'}-`));
  // Postgres runs as the `postgres` OS user when we are root: it must be able to enter the folder.
  await chmod(dir, 0o755);
  return dir;
}

export interface TemporaryStackOptions extends TemporaryOptions, Omit<StackOptions, 'apiPort' | 'dbPort' | 'dataDir'> {
  /** Runs with the temporary folder before the stack starts (scratch folders, environment for the services). */
  beforeStart?: (dir: string) => Promise<void> | void;
}

export interface TemporaryStack extends RunningStack {
  /** The temporary folder (the database is in `db/` inside it); removed by stop(). */
  dir: string;
}

/** Starts the stack in this process; stop() stops it and removes its folder. */
export async function startTemporaryStack(opts: TemporaryStackOptions = {}): Promise<TemporaryStack> {
  const { name, durable, beforeStart, ...stackOptions } = opts;
  // Postgres reads this at each start (a restart too).
  if (durable) delete process.env.LOCAL_SUPABASE_PG_FAST;
  else process.env.LOCAL_SUPABASE_PG_FAST = '1';
  const dir = await temporaryDir({ name, durable });
  let stack: RunningStack;
  try {
    await beforeStart?.(dir);
    stack = await startStack({ quiet: !process.env.LOCAL_SUPABASE_DEBUG, ...stackOptions, apiPort: await freePort(), dbPort: await freePort(), dataDir: path.join(dir, 'db') });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const stopStack = stack.stop.bind(stack);
  return Object.assign(stack, {
    dir,
    async stop() {
      await stopStack();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

export interface TemporaryStackProcessOptions extends TemporaryOptions {
  /** More `npm run stack` options (e.g. `--workdir DIR`), given the temporary folder; ports and data folder are chosen here. */
  args?: (dir: string) => string[];
  /** Node options for the child (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Environment for the child on top of this process's, given the temporary folder; `undefined` removes a variable. */
  env?: (dir: string) => Record<string, string | undefined>;
}

export interface TemporaryStackProcess {
  apiUrl: string;
  dbUrl: string;
  apiPort: number;
  dbPort: number;
  dir: string;
  /** The child's pid (its memory can be measured apart from the caller's). */
  pid: number;
  child: ChildProcess;
  /** What the child printed so far. */
  output(): string;
  /** SIGTERM (the stack's own clean shutdown), then removes the folder. */
  stop(): Promise<void>;
}

/** Starts `local-supabase/main.ts stack` in a child Node process; resolves once its API answers. */
export async function startTemporaryStackProcess(opts: TemporaryStackProcessOptions = {}): Promise<TemporaryStackProcess> {
  const dir = await temporaryDir(opts);
  const apiPort = await freePort();
  const dbPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries({ LOCAL_SUPABASE_PG_FAST: opts.durable ? undefined : '1', ...opts.env?.(dir) })) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  // One process (node with tsx's loader, no npx/tsx wrapper), so SIGTERM reaches the stack's own exit hook.
  const args = [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'local-supabase/main.ts'), 'stack'];
  args.push('--api-port', String(apiPort), '--db-port', String(dbPort), '--data-dir', path.join(dir, 'db'), ...(opts.args?.(dir) ?? []));
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`the stack exited (${child.exitCode}):\n${log}`);
    }
    if (i === 1200) {
      await stop();
      throw new Error(`the stack did not answer within 2 minutes:\n${log}`);
    }
    try {
      if ((await fetch(`${apiUrl}/auth/v1/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  return { apiUrl, dbUrl: `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`, apiPort, dbPort, dir, pid: child.pid!, child, output: () => log, stop };
}
