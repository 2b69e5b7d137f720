// Starts the whole local Supabase: Postgres, then the gateway with auth, rest, realtime and functions.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type StackConfig, type StackOptions } from './config.ts';
import type { StackContext } from './context.ts';
import { createFunctionsService } from './edge-runtime/index.ts';
import { createGateway } from './gateway.ts';
import { createAuthService } from './gotrue/index.ts';
import { type RunningMailCatcher, startMailCatcher } from './mail/index.ts';
import { type RunningPostgres, startPostgres } from './postgres.ts';
import { createRestService } from './postgrest/index.ts';
import { createRealtimeService } from './realtime-server/index.ts';
import { installExtensions } from './scheduler/extensions.ts';
import { type Scheduler, startScheduler } from './scheduler/index.ts';
import { createStorageService } from './storage/index.ts';

export interface RunningStack {
  cfg: StackConfig;
  postgres: RunningPostgres;
  ctx: StackContext;
  /** The local mail catcher (Inbucket's role in `supabase start`): Auth's invite and confirmation mails. */
  mail: RunningMailCatcher;
  /** pg_cron's and pg_net's workers (reference §9). */
  scheduler: Scheduler;
  stop(): Promise<void>;
  /**
   * Fault tests: cuts every API connection as a crash would and starts the gateway and its services (auth, rest,
   * realtime, functions) afresh on the same port. Postgres and its data are untouched.
   */
  restartGateway(opts?: { whileDown?: () => Promise<void> }): Promise<void>;
  /**
   * Fault tests: restarts Postgres on the same port and data; `immediate` stops it like a crash (every process
   * quits at once, no shutdown checkpoint, crash recovery at the next start). `whileDown` runs between the stop and the start.
   */
  restartPostgres(opts?: { immediate?: boolean; whileDown?: () => Promise<void> }): Promise<void>;
}

export class StackAlreadyRunningError extends Error {}

function lockFile(cfg: StackConfig): string {
  return `${cfg.dataDir.replace(/\/+$/, '')}.pid`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Throws if a stack is running on this data folder (used before wiping it). */
export function assertNotRunning(cfg: StackConfig): void {
  takeLock(cfg)();
}

/** One stack per data folder: a second start while one runs is refused, never run twice on the same files. */
function takeLock(cfg: StackConfig): () => void {
  const file = lockFile(cfg);
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new StackAlreadyRunningError(
        `The local Supabase is already running (pid ${pid}, data in ${cfg.dataDir}). Stop it first (Ctrl-C in its terminal).`,
      );
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

export async function startStack(opts: StackOptions = {}): Promise<RunningStack> {
  const cfg = loadConfig(opts);
  const log = (service: string, message: string) => {
    if (!cfg.quiet && message) console.log(`[${service}] ${message}`);
  };
  const releaseLock = takeLock(cfg);
  let postgres: RunningPostgres;
  try {
    installExtensions();
    // Postgres is chatty (initdb, checkpoints): show only problems unless LOCAL_SUPABASE_DEBUG is set.
    postgres = await startPostgres(cfg, (m) => {
      if (process.env.LOCAL_SUPABASE_DEBUG || /\b(ERROR|FATAL|PANIC|WARNING)\b|applied|bootstrapped/.test(m)) log('postgres', m);
    });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const newPool = () => {
    // Connections stay open once opened (min = max), as a pooler in front of Postgres keeps its server
    // connections. Closing them after 10 s idle meant the next burst opened new backends (fork, password
    // exchange, empty catalog and plan caches), and on a 2-core machine that stalled every request for ~0.5 s:
    // bench:e2e at 500 conversations showed it as one slow second per run after a lull.
    const pool = new pg.Pool({ connectionString: cfg.adminDbUrl, max: 20, min: 20 });
    // A restarting Postgres must not crash the stack; queries fail and the pool reconnects. The pool's own
    // listener covers idle clients only: a client lost while checked out (its backend killed between two of a
    // request's statements) emits 'error' with nobody listening, which would throw. Its queries fail anyway.
    pool.on('error', (err) => log('postgres', `pool: ${err.message}`));
    pool.on('connect', (client) => client.on('error', () => undefined));
    return pool;
  };
  let mail: RunningMailCatcher;
  try {
    mail = await startMailCatcher({ port: cfg.mailPort });
    cfg.mailPort = mail.port;
  } catch (err) {
    await postgres.stop();
    releaseLock();
    throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? new StackAlreadyRunningError(`Port ${cfg.mailPort} (mail catcher) is already in use: is another local stack running?`)
      : err;
  }
  const ctx: StackContext = { cfg, pool: newPool(), log, mail };
  let api: RunningApi;
  try {
    api = await startApi(ctx);
  } catch (err) {
    await mail.stop();
    await ctx.pool.end();
    await postgres.stop();
    releaseLock();
    throw err;
  }

  const scheduler = startScheduler(ctx);
  let stopping: Promise<void> | null = null;
  return {
    cfg,
    postgres,
    ctx,
    mail,
    scheduler,
    stop() {
      stopping ??= (async () => {
        await scheduler.stop();
        await api.stop();
        await mail.stop();
        await ctx.pool.end().catch(() => undefined);
        await postgres.stop();
        releaseLock();
      })();
      return stopping;
    },
    async restartGateway(opts = {}) {
      // As if the process serving the API crashed: every connection (HTTP, websockets, Deno workers, the
      // superuser pool) is cut without a goodbye, then a fresh one starts on the same port with no memory.
      await api.stop();
      const old = ctx.pool;
      ctx.pool = newPool();
      void old.end().catch(() => undefined);
      try {
        await opts.whileDown?.();
      } finally {
        api = await startApi(ctx);
      }
    },
    async restartPostgres(opts = {}) {
      await postgres.restart(opts);
    },
  };
}

export interface RunningApi {
  stop(): Promise<void>;
}

/** The gateway and its services on cfg.apiPort (tests start a second one on the same Postgres with other settings). */
export async function startApi(ctx: StackContext): Promise<RunningApi> {
  const { cfg } = ctx;
  const services = {
    auth: await createAuthService(ctx),
    rest: await createRestService(ctx),
    realtime: await createRealtimeService(ctx),
    functions: await createFunctionsService(ctx),
    storage: await createStorageService(ctx),
  };
  const closeServices = () => Promise.all(Object.values(services).map((s) => s.close?.().catch((e: Error) => ctx.log('stack', e.message))));
  const server = createGateway(ctx, services);
  // Every socket, upgraded websockets included (closeAllConnections only knows HTTP ones): stop() cuts them all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new StackAlreadyRunningError(`Port ${cfg.apiPort} is already in use: is another local stack running?`));
      else reject(err);
    });
    server.listen(cfg.apiPort, '127.0.0.1', () => resolve());
  }).catch(async (err) => {
    await closeServices();
    throw err;
  });
  return {
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await closeServices();
    },
  };
}
