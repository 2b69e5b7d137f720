// The fault suites' report: each test records what it did under .bench/faults/<name>.json, and
// `npm run test:faults` prints the totals (load held, faults survived, inputs tried, messages lost).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../local-supabase/config.ts';

export const FAULTS_DIR = path.join(ROOT, '.bench', 'faults');

export interface FaultRecord {
  /** Faults injected and survived (e.g. "gateway killed and restarted"). */
  faults?: string[];
  /** Hostile or malformed inputs sent (fuzzing). */
  inputsTried?: number;
  /** Requests of a flood, and how many of them were refused with 429. */
  floodRequests?: number;
  floodRefused?: number;
  /** Other visitors' requests during a flood, and how many succeeded. */
  othersRequests?: number;
  othersServed?: number;
  messagesSent?: number;
  messagesStored?: number;
  messagesLost?: number;
  [extra: string]: unknown;
}

/** Called by a test after its assertions passed: what it survived. */
export function recordFaults(name: string, record: FaultRecord): void {
  mkdirSync(FAULTS_DIR, { recursive: true });
  writeFileSync(path.join(FAULTS_DIR, `${name}.json`), `${JSON.stringify({ ...record, recordedAt: new Date().toISOString() }, null, 2)}\n`);
}

export function clearFaults(): void {
  rmSync(FAULTS_DIR, { recursive: true, force: true });
}

export function readFaults(): Record<string, FaultRecord> {
  let files: string[] = [];
  try {
    files = readdirSync(FAULTS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return {};
  }
  return Object.fromEntries(files.sort().map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(FAULTS_DIR, f), 'utf8')) as FaultRecord]));
}
