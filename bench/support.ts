// Shared bench helpers: a local stack in its own process (so its memory can be measured), free ports, stats.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { ANON_KEY, ROOT } from '../local-supabase/config.ts';
import { freePort, startTemporaryStackProcess, type TemporaryStackProcess } from '../local-supabase/temporary-stack.ts';

export type BenchStack = TemporaryStackProcess;

/** The local stack in a child process (startTemporaryStackProcess), with Auth's per-address limit lifted. */
export function startStackProcess(extraEnv: Record<string, string> = {}): Promise<BenchStack> {
  // BENCH_CPU_PROF=1: V8 CPU profile of the stack's Node process (gateway, REST, Auth, Realtime) into .bench/profiles.
  const prof = process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, '.bench/profiles')}`] : [];
  return startTemporaryStackProcess({
    name: 'porchlight-bench',
    nodeArgs: prof,
    // Hundreds of visitors sign in anonymously from this one machine; hosted Auth allows 30 an hour per address.
    env: () => ({ LOCAL_SUPABASE_AUTH_ANONYMOUS_PER_HOUR: '1000000', ...extraEnv }),
  });
}

/** Starts a Socket.io relay of bench/ (baseline-server.ts, same-work-relay.ts) on a port against the stack's Postgres. */
export async function startRelay(file: string, dbUrl: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', file), String(port), dbUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('BASELINE_READY') && resolve());
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return { port, child };
}

/** A Socket.io client of one of those relays, connected (from `localAddress` when given: one visitor's own address). */
export function connectRelay(port: number, auth: Record<string, string>, localAddress?: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s: Socket = ioClient(`http://127.0.0.1:${port}`, { auth, transports: ['websocket'], ...(localAddress ? { localAddress } : {}) } as never);
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

/** Resident memory of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Writes `.bench/<name>.json` and prints a table of rows. */
export function report(name: string, data: Record<string, unknown>, rows: [string, string | number, string][]): void {
  const dir = path.join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ ...data, measuredAt: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version } }, null, 2)}\n`);
  const w0 = Math.max(...rows.map((r) => r[0].length), 6);
  const w1 = Math.max(...rows.map((r) => String(r[1]).length), 5);
  console.log(`\n${name}`);
  console.log(`${'metric'.padEnd(w0)}  ${'value'.padStart(w1)}  budget / note`);
  for (const [k, v, note] of rows) console.log(`${k.padEnd(w0)}  ${String(v).padStart(w1)}  ${note}`);
  console.log(`(written to .bench/${name}.json)`);
}

/** A supabase-js client for a simulated user (no session storage, Realtime over the ws package). */
export function sb(apiUrl: string, key = ANON_KEY): SupabaseClient {
  return createClient(apiUrl, key, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
}

/** Resolves once the channel is joined; rejects on an error or a timeout. */
export function subscribed(ch: RealtimeChannel): Promise<void> {
  return new Promise<void>((resolve, reject) => ch.subscribe((s, e) => (s === 'SUBSCRIBED' ? resolve() : s === 'CHANNEL_ERROR' || s === 'TIMED_OUT' ? reject(e ?? new Error(s)) : undefined)));
}

/**
 * One POST over the given agent (a simulated visitor's keep-alive connection). A failure says whether it was on a
 * reused connection (`reused`), so a caller may retry as a browser does.
 */
export function httpPost(agent: http.Agent, url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(Object.assign(err, { reused: req.reusedSocket })));
    req.end(body);
  });
}

/** Bulk seeding with the broadcast triggers off (they would send a realtime message per row), on again after. */
export async function withoutBroadcasts<T>(db: pg.Client, fn: () => Promise<T>): Promise<T> {
  await db.query('alter table public.messages disable trigger messages_after_insert');
  await db.query('alter table public.conversations disable trigger conversations_after_insert');
  try {
    return await fn();
  } finally {
    await db.query('alter table public.messages enable trigger messages_after_insert');
    await db.query('alter table public.conversations enable trigger conversations_after_insert');
  }
}

/** n anonymous auth users: the seeded visitors' accounts. */
export async function insertAnonymousUsers(db: pg.Client, n: number): Promise<void> {
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, created_at, updated_at, is_anonymous)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', now(), now(), true from generate_series(1, $1)`,
    [n],
  );
}
