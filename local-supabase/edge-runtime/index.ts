// The /functions/v1 service: each function (supabase/functions/<name>/index.ts or a config.toml entrypoint) runs in its own real Deno process,
// started on first use and kept warm (restarted after its code changes or its process exits); requests are
// proxied to it with streaming bodies. verify_jwt and error answers as the CLI's edge runtime.
//
// npm packages resolve from the project's node_modules (--node-modules-dir=manual) and nothing is fetched at
// run time (--cached-only): a function's deno.json keeps plain `npm:` specifiers, which hosted Supabase resolves
// itself on `supabase functions deploy`. This file keeps one warm worker per function and retries a request
// whose worker just died; the rest is in
//   discovery.ts  which functions exist (folders, config.toml) and their folders' fingerprints
//   worker.ts     one function's Deno process
//   proxy.ts      verify_jwt and forwarding a request to the process
import path from 'node:path';
import { type ServiceFactory, type StackContext, sendJson } from '../context.ts';
import { FunctionCatalog, type FunctionSpec, fingerprint } from './discovery.ts';
import { checkJwt, proxy, smallBody } from './proxy.ts';
import { startWorker, stopWorker as stop, type Worker } from './worker.ts';

export const createFunctionsService: ServiceFactory = (ctx: StackContext) => {
  const { cfg } = ctx;
  // As the CLI: <workdir>/supabase/functions, plus config.toml's [functions.NAME] entrypoints wherever they are.
  const functionsDir = path.join(cfg.supabaseDir, 'functions');
  // Test-only fixture folders (each may have a config.toml with [functions.NAME] verify_jwt).
  const extraDirs = (process.env.LOCAL_SUPABASE_EXTRA_FUNCTIONS_DIRS ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(d));
  const catalog = new FunctionCatalog(functionsDir, extraDirs, cfg.functions);
  const workers = new Map<string, Worker>();
  /** Every running process, also retired ones still finishing a request: close() stops them all. */
  const live = new Set<Worker>();
  let closed = false;
  const look = () => catalog.look();
  const start = (spec: FunctionSpec, version: string) => startWorker(spec, version, cfg, live, ctx.log);

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
        const refused = await checkJwt(cfg.jwtKeys, req);
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
      catalog.close();
      workers.clear();
      await Promise.all([...live].map(stop));
    },
  };
};
