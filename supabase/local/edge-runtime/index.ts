// The /functions/v1 service: each function in functions/<name>/index.ts runs in its own real Deno process,
// started on first use and kept warm (restarted after its code changes or its process exits); requests are
// proxied to it with streaming bodies. verify_jwt and error answers as the CLI's edge runtime.
//
// npm packages resolve from the project's node_modules (--node-modules-dir=manual) and nothing is fetched at
// run time (--cached-only): functions/deno.json keeps plain `npm:` specifiers, which hosted Supabase resolves
// itself on `supabase functions deploy`.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, readToml } from '../config.ts';
import { readBody, type ServiceFactory, type StackContext, sendJson } from '../context.ts';
import { verifyJwt } from '../jwt.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DENO = path.join(ROOT, 'node_modules/.bin/deno');
const BOOT_TIMEOUT_MS = 30_000;
const READY = /PORCHLIGHT_FUNCTION_READY (\d+)/;

interface FunctionSpec {
  name: string;
  entrypoint: string;
  verifyJwt: boolean;
  /** The functions folder it was found in: its .env holds the secrets, its files its version. */
  root: string;
  /** config.toml's import_map, else a deno.json(c) / import_map.json in the function's folder (the CLI's order). */
  importMap?: string;
}

interface Worker {
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

function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
  }
  return out;
}

/** Newest modification time and number of files under a folder (node_modules and dot-folders skipped); `onDir` sees each folder walked. */
function fingerprint(dir: string, onDir: (d: string) => void = () => undefined): string {
  let newest = 0;
  let count = 0;
  const walk = (d: string) => {
    onDir(d);
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else {
        try {
          newest = Math.max(newest, statSync(p).mtimeMs);
          count += 1;
        } catch {
          // deleted while walking
        }
      }
    }
  };
  walk(dir);
  return `${newest}:${count}`;
}

function folderImportMap(entrypoint: string): string | undefined {
  const dir = path.dirname(entrypoint);
  return ['deno.json', 'deno.jsonc', 'import_map.json'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
}

export const createFunctionsService: ServiceFactory = (ctx: StackContext) => {
  const { cfg } = ctx;
  const functionsDir = path.resolve(process.env.PORCHLIGHT_FUNCTIONS_DIR ?? path.join(ROOT, 'functions'));
  // Test-only fixture folders (each may have a config.toml with [functions.NAME] verify_jwt).
  const extraDirs = (process.env.PORCHLIGHT_EXTRA_FUNCTIONS_DIRS ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(d));
  const workers = new Map<string, Worker>();
  /** Every running process, also retired ones still finishing a request: close() stops them all. */
  const live = new Set<Worker>();
  let closed = false;

  function scan(dir: string, specs: Map<string, FunctionSpec>) {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(entry.name)) continue;
      const file = path.join(dir, entry.name, 'index.ts');
      if (existsSync(file)) specs.set(entry.name, { name: entry.name, entrypoint: file, verifyJwt: true, root: dir, importMap: folderImportMap(file) });
    }
  }

  function applyConfig(
    root: string,
    entries: { name: string; enabled: boolean; verifyJwt: boolean; entrypoint?: string; importMap?: string }[],
    specs: Map<string, FunctionSpec>,
  ) {
    for (const f of entries) {
      if (!f.enabled) {
        specs.delete(f.name);
        continue;
      }
      const known = specs.get(f.name);
      const entrypoint = f.entrypoint && existsSync(f.entrypoint) ? f.entrypoint : known?.entrypoint;
      if (!entrypoint) continue;
      const importMap = f.importMap && existsSync(f.importMap) ? f.importMap : folderImportMap(entrypoint);
      specs.set(f.name, { name: f.name, entrypoint, verifyJwt: f.verifyJwt, root: known?.root ?? root, importMap });
    }
  }

  // What discover() and fingerprint() find is kept while no watched folder changes: every folder they walk is
  // watched (inotify), and any event drops the cache and the watchers, so the next request looks again. A file
  // written just before a request is seen by it: its event is queued before the request's bytes arrive.
  // Where folders cannot be watched, every request looks (as before).
  let found: { specs: Map<string, FunctionSpec>; versions: Map<string, string> } | null = null;
  const watchers = new Map<string, FSWatcher>();
  let canWatch = true;
  function forget() {
    found = null;
    for (const w of watchers.values()) w.close();
    watchers.clear();
  }
  function watchDir(d: string) {
    if (!canWatch || closed || watchers.has(d)) return;
    try {
      const w = watch(d, { persistent: false }, forget);
      w.on('error', forget);
      watchers.set(d, w);
    } catch {
      canWatch = false;
    }
  }
  function look(): { specs: Map<string, FunctionSpec>; versions: Map<string, string> } {
    if (found && canWatch) return found;
    forget();
    for (const d of [functionsDir, ...extraDirs]) if (existsSync(d)) watchDir(d);
    const specs = discover();
    const versions = new Map<string, string>();
    for (const spec of specs.values()) if (!versions.has(spec.root)) versions.set(spec.root, fingerprint(spec.root, watchDir));
    found = { specs, versions };
    return found;
  }

  /** Folders with an index.ts, plus [functions.NAME] entries of config.toml (which also set verify_jwt, default true). */
  function discover(): Map<string, FunctionSpec> {
    const specs = new Map<string, FunctionSpec>();
    scan(functionsDir, specs);
    applyConfig(functionsDir, cfg.functions, specs);
    for (const dir of extraDirs) {
      scan(dir, specs);
      const toml = path.join(dir, 'config.toml');
      if (existsSync(toml)) {
        const parsed = readToml(toml) as { functions?: Record<string, { verify_jwt?: boolean; enabled?: boolean }> };
        applyConfig(
          dir,
          Object.entries(parsed.functions ?? {}).map(([name, f]) => ({ name, enabled: f.enabled ?? true, verifyJwt: f.verify_jwt ?? true })),
          specs,
        );
      }
    }
    return specs;
  }

  function stop(w: Worker): Promise<void> {
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

  /** Spawns the Deno process at once (so concurrent first requests share it); `ready` settles when it listens. */
  function start(spec: FunctionSpec, version: string): Worker {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      DENO_NO_UPDATE_CHECK: '1',
      ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}),
      ...readEnvFile(path.join(spec.root, '.env')),
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
          } else if (line.trim()) ctx.log(`fn:${spec.name}`, line);
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
        for (const line of chunk.toString().split('\n')) if (line.trim()) ctx.log(`fn:${spec.name}`, line);
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

  /** A stale worker (its code changed) finishes its requests, then stops. */
  function retire(w: Worker) {
    w.stale = true;
    if (w.inflight === 0) void stop(w);
  }

  async function workerFor(spec: FunctionSpec): Promise<Worker> {
    const version = look().versions.get(spec.root) ?? fingerprint(spec.root);
    let w = workers.get(spec.name);
    if (w && !w.exited && w.version !== version) {
      retire(w);
      w = undefined;
    }
    // A crashed or exited function is started again on the next request.
    if (!w || w.exited) {
      w = start(spec, version);
      workers.set(spec.name, w);
    }
    try {
      await w.ready;
    } catch (err) {
      if (workers.get(spec.name) === w) workers.delete(spec.name);
      throw err;
    }
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

  /**
   * Proxies one request. Resolves 'refused' when the worker could not be reached at all (its process just died):
   * nothing of the request reached the function then, so the caller may start a new worker and try again.
   * A request whose body is already read (`body`) goes over a kept-alive connection (no connect and close per
   * request); a body of unknown or large size is streamed on a connection of its own, sent only once connected.
   * A failure on a reused connection is never retried: the function may have seen the request.
   */
  function proxy(w: Worker, req: IncomingMessage, res: ServerResponse, pathAndQuery: string, body: Buffer | null): Promise<'done' | 'refused'> {
    return new Promise((resolve) => {
      // As Kong does (no trusted proxies): X-Real-IP is the caller's address, X-Forwarded-For gets it appended.
      const remote = req.socket.remoteAddress ?? '';
      const forwarded = [req.headers['x-forwarded-for'], remote].filter(Boolean).join(', ');
      const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${w.port}`, 'x-forwarded-for': forwarded, 'x-real-ip': remote };
      if (body) {
        delete headers.connection;
        delete headers['keep-alive'];
        if (body.length || headers['content-length'] !== undefined) headers['content-length'] = body.length;
      }
      let connected = false;
      const upstream = http.request(
        { host: '127.0.0.1', port: w.port, method: req.method, path: pathAndQuery, headers, agent: body ? w.agent : false },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on('end', () => resolve('done'));
          up.on('error', () => {
            res.destroy();
            resolve('done');
          });
        },
      );
      if (body) {
        upstream.on('socket', (socket) => {
          if (!socket.connecting) connected = true;
          else socket.once('connect', () => (connected = true));
        });
        upstream.end(body);
      } else {
        // The body is sent only once connected, so a refused connection leaves the request untouched for a retry.
        upstream.on('socket', (socket) =>
          socket.once('connect', () => {
            connected = true;
            req.pipe(upstream);
          }),
        );
      }
      upstream.on('error', (err) => {
        if (!connected) return resolve('refused');
        if (!res.headersSent) sendJson(res, 500, { code: 'WORKER_ERROR', message: `Function failed: ${err.message}` });
        else res.destroy();
        resolve('done');
      });
      // A caller that goes away (e.g. leaves a stream) cancels the request to the function too.
      res.on('close', () => {
        if (!res.writableFinished) {
          upstream.destroy();
          resolve('done');
        }
      });
    });
  }

  /** Reads a body of known size up to 1 MB (so the request can go over a kept-alive connection); null: stream it. */
  async function smallBody(req: IncomingMessage): Promise<Buffer | null> {
    const length = req.headers['content-length'];
    if (req.headers['transfer-encoding'] || (length === undefined && !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(req.method ?? ''))) return null;
    const n = Number(length ?? 0);
    if (!Number.isFinite(n) || n > 1024 * 1024) return null;
    if (n === 0) return Buffer.alloc(0);
    return readBody(req, 1024 * 1024);
  }

  return {
    async handle(req, res, subpath, url) {
      const name = subpath.split('/')[1] ?? '';
      const spec = look().specs.get(name);
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
      if (closed) {
        sendJson(res, 503, { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
        return;
      }
      const body = await smallBody(req);
      for (let attempt = 1; ; attempt++) {
        let w: Worker;
        try {
          w = await workerFor(spec);
        } catch (err) {
          ctx.log(`fn:${name}`, (err as Error).message);
          sendJson(res, 503, { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
          return;
        }
        w.inflight += 1;
        let outcome: 'done' | 'refused';
        try {
          outcome = await proxy(w, req, res, `${subpath}${url.search}`, body);
        } finally {
          w.inflight -= 1;
          if (w.stale && w.inflight === 0) void stop(w);
        }
        if (outcome === 'done') return;
        // Its process died (the exit event may not have arrived yet): forget it and start a fresh one, once.
        w.exited = true;
        w.proc.kill('SIGKILL');
        if (workers.get(name) === w) workers.delete(name);
        if (attempt === 2) {
          sendJson(res, 500, { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' });
          return;
        }
      }
    },
    async close() {
      closed = true;
      forget();
      workers.clear();
      await Promise.all([...live].map(stop));
    },
  };
};
