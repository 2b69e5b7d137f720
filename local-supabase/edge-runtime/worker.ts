// One function's Deno process: spawned with the function's environment and import map, ready once it prints
// the port it listens on, stopped with SIGTERM (then SIGKILL).
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config.ts';
import { ROOT } from '../config.ts';
import { type FunctionSpec, readEnvFile } from './discovery.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DENO = path.join(ROOT, 'node_modules/.bin/deno');
const BOOT_TIMEOUT_MS = 30_000;
const READY = /LOCAL_SUPABASE_FUNCTION_READY (\d+)/;

export interface Worker {
  proc: ChildProcess;
  port: number;
  ready: Promise<void>;
  exited: boolean;
  /** Fingerprint of the function folder's files when this process started. */
  version: string;
  /** Requests being proxied; a stale worker is stopped once this drops to 0. */
  inflight: number;
  stale: boolean;
  /** Keep-alive connections to the process (a request with a known, small body need not open a new one). */
  agent: http.Agent;
}

export function stopWorker(w: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    if (w.exited) return resolve();
    w.proc.once('exit', () => resolve());
    w.proc.kill('SIGTERM');
    setTimeout(() => {
      if (!w.exited) w.proc.kill('SIGKILL');
      resolve();
    }, 3000).unref();
  });
}


/** `[edge_runtime.secrets]` as the CLI resolves them: `env(VAR)` from the environment (unset: left out). */
function functionSecrets(secrets: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets)) {
    const ref = /^env\((\w+)\)$/.exec(value.trim());
    const resolved = ref ? process.env[ref[1] ?? ''] : value;
    if (resolved !== undefined && resolved !== '') out[name] = resolved;
  }
  return out;
}

/** Spawns the Deno process at once (so concurrent first requests share it); `ready` settles when it listens. */
export function startWorker(
  spec: FunctionSpec,
  version: string,
  cfg: StackConfig,
  live: Set<Worker>,
  log: (source: string, line: string) => void,
): Worker {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
    ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}),
    ...functionSecrets(cfg.functionSecrets),
    ...readEnvFile(path.join(spec.root, '.env')),
    // `supabase functions serve --env-file <file>`: secrets from a file of the caller's choosing.
    ...(process.env.LOCAL_SUPABASE_FUNCTIONS_ENV_FILE ? readEnvFile(process.env.LOCAL_SUPABASE_FUNCTIONS_ENV_FILE) : {}),
    SUPABASE_URL: cfg.apiUrl,
    SUPABASE_ANON_KEY: cfg.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: cfg.serviceRoleKey,
    SUPABASE_DB_URL: cfg.dbUrl,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: cfg.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: cfg.secretKey }),
    SUPABASE_JWKS: JSON.stringify({ keys: [] }),
  };
  const args = ['run', '--allow-all', '--no-prompt', '--cached-only', '--node-modules-dir=manual'];
  if (spec.importMap) args.push(/\.jsonc?$/.test(spec.importMap) && !spec.importMap.endsWith('import_map.json') ? '--config' : '--import-map', spec.importMap);
  args.push(path.join(HERE, 'bootstrap.ts'), spec.entrypoint);
  // stdin stays an open pipe: the bootstrap exits when it closes, i.e. when this process dies.
  const proc = spawn(DENO, args, { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stdin!.on('error', () => undefined);
  // Idle connections are dropped after 4 s, before the function's server could close them under a request.
  const agent = new http.Agent({ keepAlive: true, timeout: 4000, scheduling: 'lifo' });
  const worker: Worker = { proc, port: 0, exited: false, ready: Promise.resolve(), version, inflight: 0, stale: false, agent };
  live.add(worker);
  proc.once('exit', () => {
    live.delete(worker);
    agent.destroy();
  });
  worker.ready = new Promise<void>((resolve, reject) => {
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => {
      reject(new Error(`function ${spec.name} did not start within ${BOOT_TIMEOUT_MS} ms`));
      proc.kill('SIGKILL');
    }, BOOT_TIMEOUT_MS);
    proc.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const ready = worker.port === 0 ? READY.exec(line) : null;
        if (ready) {
          worker.port = Number(ready[1]);
          clearTimeout(timer);
          resolve();
        } else if (line.trim()) log(`fn:${spec.name}`, line);
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`fn:${spec.name}`, line);
    });
    proc.on('error', (err) => {
      worker.exited = true;
      clearTimeout(timer);
      reject(err);
    });
    proc.on('exit', (code, signal) => {
      worker.exited = true;
      clearTimeout(timer);
      reject(new Error(`function ${spec.name} exited (${signal ?? `code ${code}`}): ${stderr.slice(-2000)}`));
    });
  });
  worker.ready.catch(() => undefined);
  return worker;
}

