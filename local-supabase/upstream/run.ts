// `npm run test:upstream -- --supabase-js DIR [--suite NAME ...]`: runs supabase-js's own integration suites
// (read from a checkout at DIR, at the installed version) with their own runner, jest, against the stand-in started
// with `--workdir <the suite's folder>` on free ports, and prints per suite tests / passed / failed in scope /
// failed out of scope. Every adaptation it makes is listed in README.md beside it. For developers, not CI.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adaptedWorkdir } from './overlay.ts';
import { type StandIn, startStandIn } from './stand-in.ts';
import { SUITES, type Suite } from './suites.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Outcome {
  suite: string;
  tests: number;
  passed: number;
  failedInScope: { name: string; message: string }[];
  failedOutOfScope: { name: string; why: string }[];
  skipped: number;
  /** Test files that failed before any test ran (a load or setup error). */
  brokenFiles: { file: string; message: string }[];
}

function parseArgs(argv: string[]): { dir: string; only: string[]; report?: string } {
  let dir: string | undefined;
  let report: string | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--supabase-js') dir = argv[++i];
    else if (a === '--suite') only.push(argv[++i]!);
    else if (a === '--report') report = argv[++i];
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!dir) throw new Error('--supabase-js DIR is required (a checkout of supabase/supabase-js at the installed version)');
  const full = path.resolve(dir);
  if (!existsSync(path.join(full, 'packages', 'core', 'postgrest-js'))) throw new Error(`${full} is not a supabase/supabase-js checkout`);
  return { dir: full, only, report: report && path.resolve(report) };
}

function jestConfig(suite: Suite, dir: string, pkg: string, require: NodeRequire): Record<string, unknown> {
  const tsconfig = ['tsconfig.test.json', 'tsconfig.json'].map((f) => path.join(pkg, f)).find((f) => existsSync(f));
  return {
    rootDir: pkg,
    testEnvironment: 'node',
    testMatch: suite.testMatch,
    testPathIgnorePatterns: suite.testPathIgnorePatterns ?? ['/node_modules/'],
    // Type checks are the suites' own tsd/tstyche jobs; here ts-jest only transpiles (adaptation, see README).
    transform: { '^.+\\.tsx?$': [require.resolve('ts-jest'), { tsconfig, diagnostics: false }] },
    setupFiles: [path.join(HERE, 'jest-adapter.cjs')],
    setupFilesAfterEnv: suite.setupFilesAfterEnv ?? [],
    moduleNameMapper: {
      ...Object.fromEntries(Object.entries(suite.replace ?? {}).map(([re, file]) => [re, path.join(HERE, file)])),
      ...Object.fromEntries(Object.entries(suite.workspace ?? {}).map(([re, file]) => [re, path.join(dir, file)])),
    },
    testTimeout: suite.testTimeout ?? 30_000,
    ...(suite.alphabetical ? { testSequencer: path.join(pkg, 'test', 'testSequencer.js') } : {}),
  };
}

async function runSuite(dir: string, suite: Suite): Promise<Outcome> {
  const pkg = path.join(dir, suite.packageDir);
  const require = createRequire(path.join(pkg, 'package.json'));
  for (const cmd of suite.prepare ?? []) execSync(cmd, { cwd: pkg, stdio: 'inherit' });
  let standIn: StandIn | undefined;
  const workdir = suite.workdir === null ? null : path.join(pkg, suite.workdir);
  const adapted = workdir && adaptedWorkdir(workdir, suite.adaptSql);
  if (adapted) standIn = await startStandIn(adapted, suite.name);
  const tmp = mkdtempSync(path.join(os.tmpdir(), `upstream-jest-${suite.name}-`));
  const configFile = path.join(tmp, 'jest.config.json');
  const resultFile = path.join(tmp, 'results.json');
  writeFileSync(configFile, JSON.stringify(jestConfig(suite, dir, pkg, require)));
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_SUPABASE_PG_FAST: '1' };
  if (standIn) {
    env.UPSTREAM_PORT_MAP = `54321:${standIn.apiPort},54322:${standIn.dbPort},54324:${standIn.mailPort}`;
    env.UPSTREAM_ANON_KEY = standIn.status.ANON_KEY;
  }
  try {
    const jest = require.resolve('jest/bin/jest');
    await new Promise<void>((resolve) => {
      const p = spawn(process.execPath, [jest, '--config', configFile, '--runInBand', '--json', '--outputFile', resultFile, '--silent'], {
        cwd: pkg,
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      p.on('exit', () => resolve());
    });
    return summarize(suite, pkg, JSON.parse(readFileSync(resultFile, 'utf8')));
  } finally {
    await standIn?.stop();
    if (adapted && adapted !== workdir) rmSync(adapted, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface JestJson {
  testResults: {
    name: string;
    message: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

function summarize(suite: Suite, pkg: string, json: JestJson): Outcome {
  const out: Outcome = { suite: suite.name, tests: 0, passed: 0, failedInScope: [], failedOutOfScope: [], skipped: 0, brokenFiles: [] };
  for (const file of json.testResults) {
    const rel = path.relative(pkg, file.name);
    if (file.assertionResults.length === 0 && file.message) out.brokenFiles.push({ file: rel, message: file.message.slice(0, 600) });
    for (const t of file.assertionResults) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
        out.skipped += 1;
        continue;
      }
      out.tests += 1;
      if (t.status === 'passed') {
        out.passed += 1;
        continue;
      }
      const name = `${rel} › ${t.fullName}`;
      const why = suite.outOfScope(rel, t.fullName);
      if (why) out.failedOutOfScope.push({ name, why });
      else out.failedInScope.push({ name, message: (t.failureMessages[0] ?? '').split('\n').slice(0, 12).join('\n') });
    }
  }
  return out;
}

function printTable(outcomes: Outcome[]) {
  console.log('\n| suite | tests | passed | failed in scope | failed out of scope | skipped |');
  console.log('|---|---|---|---|---|---|');
  for (const o of outcomes) {
    console.log(`| ${o.suite} | ${o.tests} | ${o.passed} | ${o.failedInScope.length} | ${o.failedOutOfScope.length} | ${o.skipped} |`);
  }
  for (const o of outcomes) {
    for (const b of o.brokenFiles) console.log(`\n${o.suite}: ${b.file} did not run:\n${b.message}`);
    for (const f of o.failedInScope) console.log(`\n${o.suite} IN SCOPE: ${f.name}\n${f.message}`);
  }
}

const { dir, only, report } = parseArgs(process.argv.slice(2));
const outcomes: Outcome[] = [];
for (const suite of SUITES.filter((s) => only.length === 0 || only.includes(s.name))) {
  console.log(`\n=== ${suite.name} ===`);
  outcomes.push(await runSuite(dir, suite));
}
printTable(outcomes);
if (report) writeFileSync(report, JSON.stringify(outcomes, null, 2));
