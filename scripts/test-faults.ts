// `npm run test:faults`: the fault suites — fuzzing and flooding (vitest, tests/faults/*.test.ts) and recovery
// from killed parts and a lost network in real Chromium (Playwright, tests/faults/*.spec.ts) — then a short
// report from what the passing tests recorded under .bench/faults/.
import { spawnSync } from 'node:child_process';
import { clearFaults, readFaults } from '../tests/faults/report.ts';

clearFaults();
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;
const vitest = run('npx', ['vitest', 'run', 'tests/faults']);
const playwright = run('npx', ['playwright', 'test', '-c', 'playwright.faults.config.ts']);

const records = Object.entries(readFaults());
const sum = (k: string) => records.reduce((n, [, r]) => n + (typeof r[k] === 'number' ? (r[k] as number) : 0), 0);
const faults = records.flatMap(([, r]) => r.faults ?? []);
console.log('\nfaults report (tests that passed; written to .bench/faults/)');
console.log(`  load held        flood: ${sum('floodRequests')} requests from one visitor, ${sum('floodRefused')} refused with 429; others: ${sum('othersServed')}/${sum('othersRequests')} served`);
console.log(`  faults survived  ${faults.length}: ${faults.join('; ') || '—'}`);
console.log(`  inputs tried     ${sum('inputsTried')} hostile requests (fuzz)`);
console.log(`  messages lost    ${sum('messagesLost')} of ${sum('messagesSent')} sent`);
if (vitest !== 0 || playwright !== 0) {
  console.log(`  FAILED: ${[vitest !== 0 && 'vitest', playwright !== 0 && 'playwright'].filter(Boolean).join(', ')}`);
  process.exit(1);
}
