// The /functions/v1 service: each function in functions/<name>/index.ts runs in its own real Deno process,
// started on first use and kept warm; requests are proxied to it. verify_jwt as the CLI's edge runtime.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, readToml } from '../config.ts';
import { type ServiceFactory, type StackContext, sendJson } from '../context.ts';
import { verifyJwt } from '../jwt.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DENO = path.join(ROOT, 'node_modules/.bin/deno');
const BOOT_TIMEOUT_MS = 30_000;

interface FunctionSpec {
  name: string;
  entrypoint: string;
  verifyJwt: boolean;
}

interface Worker {
  proc: ChildProcess;
  port: number;
  ready: Promise<void>;
  exited: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export const createFunctionsService: ServiceFactory = (ctx: StackContext) => {
  const { cfg } = ctx;
  const functionsDir = path.join(ROOT, 'functions');
  // Test-only fixture folders (each may have a config.toml with [functions.NAME] verify_jwt).
  const extraDirs = (process.env.PORCHLIGHT_EXTRA_FUNCTIONS_DIRS ?? '').split(path.delimiter).filter(Boolean);
  const workers = new Map<string, Worker>();

  function scan(dir: string, specs: Map<string, FunctionSpec>) {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(entry.name)) continue;
      const file = path.join(dir, entry.name, 'index.ts');
      if (existsSync(file)) specs.set(entry.name, { name: entry.name, entrypoint: file, verifyJwt: true });
    }
  }

  function applyConfig(entries: { name: string; enabled: boolean; verifyJwt: boolean; entrypoint?: string }[], specs: Map<string, FunctionSpec>) {
    for (const f of entries) {
      if (!f.enabled) {
        specs.delete(f.name);
        continue;
      }
      const entrypoint = f.entrypoint && existsSync(f.entrypoint) ? f.entrypoint : specs.get(f.name)?.entrypoint;
      if (entrypoint) specs.set(f.name, { name: f.name, entrypoint, verifyJwt: f.verifyJwt });
    }
  }

  /** Folders with an index.ts, plus [functions.NAME] entries of config.toml (which also set verify_jwt, default true). */
  function discover(): Map<string, FunctionSpec> {
    const specs = new Map<string, FunctionSpec>();
    scan(functionsDir, specs);
    applyConfig(cfg.functions, specs);
    for (const dir of extraDirs) {
      scan(dir, specs);
      const toml = path.join(dir, 'config.toml');
      if (existsSync(toml)) {
        const parsed = readToml(toml) as { functions?: Record<string, { verify_jwt?: boolean; enabled?: boolean }> };
        applyConfig(
          Object.entries(parsed.functions ?? {}).map(([name, f]) => ({ name, enabled: f.enabled ?? true, verifyJwt: f.verify_jwt ?? true })),
          specs,
        );
      }
    }
    return specs;
  }

  const secrets = () => readEnvFile(path.join(functionsDir, '.env'));

  async function start(spec: FunctionSpec): Promise<Worker> {
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      DENO_NO_UPDATE_CHECK: '1',
      ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}),
      ...secrets(),
      SUPABASE_URL: cfg.apiUrl,
      SUPABASE_ANON_KEY: cfg.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: cfg.serviceRoleKey,
      SUPABASE_DB_URL: cfg.dbUrl,
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: cfg.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: cfg.secretKey }),
      SUPABASE_JWKS: JSON.stringify({ keys: [] }),
    };
    const proc = spawn(DENO, ['run', '--allow-all', '--no-prompt', '--cached-only', path.join(HERE, 'bootstrap.ts'), spec.entrypoint, String(port)], {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: Worker = { proc, port, exited: false, ready: Promise.resolve() };
    worker.ready = new Promise<void>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`function ${spec.name} did not start within ${BOOT_TIMEOUT_MS} ms`)), BOOT_TIMEOUT_MS);
      proc.stdout!.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (text.includes('PORCHLIGHT_FUNCTION_READY')) {
          clearTimeout(timer);
          resolve();
        }
        for (const line of text.split('\n')) if (line.trim() && !line.includes('PORCHLIGHT_FUNCTION_READY')) ctx.log(`fn:${spec.name}`, line);
      });
      proc.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        for (const line of chunk.toString().split('\n')) if (line.trim()) ctx.log(`fn:${spec.name}`, line);
      });
      proc.on('exit', (code) => {
        worker.exited = true;
        clearTimeout(timer);
        reject(new Error(`function ${spec.name} exited (code ${code}): ${stderr.slice(-2000)}`));
      });
    });
    worker.ready.catch(() => undefined);
    return worker;
  }

  async function workerFor(spec: FunctionSpec): Promise<Worker> {
    let w = workers.get(spec.name);
    // A crashed or exited function is started again on the next request.
    if (!w || w.exited) {
      w = await start(spec);
      workers.set(spec.name, w);
    }
    await w.ready;
    return w;
  }

  async function checkJwt(req: IncomingMessage): Promise<string | null> {
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
    if (!m) return 'Error: Missing authorization header';
    try {
      await verifyJwt(cfg.jwtSecret, m[1]!);
      return null;
    } catch {
      return 'Invalid JWT';
    }
  }

  function proxy(w: Worker, req: IncomingMessage, res: ServerResponse, pathAndQuery: string): Promise<void> {
    return new Promise((resolve) => {
      // As Kong does: the function sees the caller's address in X-Forwarded-For.
      const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
      const headers = { ...req.headers, host: `127.0.0.1:${w.port}`, 'x-forwarded-for': forwarded };
      const upstream = http.request({ host: '127.0.0.1', port: w.port, method: req.method, path: pathAndQuery, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('end', resolve);
        up.on('error', () => {
          res.end();
          resolve();
        });
      });
      upstream.on('error', (err) => {
        if (!res.headersSent) sendJson(res, 500, { code: 'WORKER_ERROR', message: `Function failed: ${err.message}` });
        else res.end();
        resolve();
      });
      req.pipe(upstream);
    });
  }

  return {
    async handle(req, res, subpath, url) {
      const name = subpath.split('/')[1] ?? '';
      const spec = discover().get(name);
      if (!spec) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('Function not found');
        return;
      }
      if (spec.verifyJwt && req.method !== 'OPTIONS') {
        const refused = await checkJwt(req);
        if (refused) {
          sendJson(res, 401, { msg: refused });
          return;
        }
      }
      let w: Worker;
      try {
        w = await workerFor(spec);
      } catch (err) {
        ctx.log(`fn:${name}`, (err as Error).message);
        workers.delete(name);
        sendJson(res, 503, { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
        return;
      }
      await proxy(w, req, res, `${subpath}${url.search}`);
    },
    async close() {
      await Promise.all(
        [...workers.values()].map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.exited) return resolve();
              w.proc.once('exit', () => resolve());
              w.proc.kill('SIGTERM');
              setTimeout(() => {
                if (!w.exited) w.proc.kill('SIGKILL');
                resolve();
              }, 3000).unref();
            }),
        ),
      );
      workers.clear();
    },
  };
};
