// `npm run stack -- --workdir DIR ...`: the options `supabase start --workdir` takes, checked with zod, and the
// status file written as `supabase status -o json` prints it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { StackConfig, StackOptions } from './config.ts';

const port = z.coerce.number().int().min(1).max(65535);
const Args = z
  .object({
    workdir: z.string().min(1).optional(),
    'api-port': port.optional(),
    'db-port': port.optional(),
    'data-dir': z.string().min(1).optional(),
    'status-file': z.string().min(1).optional(),
  })
  .strict();

export interface CliOptions {
  stack: StackOptions;
  statusFile?: string;
}

/** Reads `--name value` / `--name=value` pairs; an unknown or malformed option throws with its name. */
export function parseStackArgs(argv: string[]): CliOptions {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    raw[m[1]!] = value;
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((e) => (e.code === 'unrecognized_keys' ? `unknown option --${e.keys.join(', --')}` : `--${e.path.join('.')}: ${e.message}`)).join('; '));
  }
  const a = parsed.data;
  return {
    stack: {
      workdir: a.workdir ? path.resolve(a.workdir) : undefined,
      apiPort: a['api-port'],
      dbPort: a['db-port'],
      dataDir: a['data-dir'] ? path.resolve(a['data-dir']) : undefined,
    },
    statusFile: a['status-file'] ? path.resolve(a['status-file']) : undefined,
  };
}

/** The fields of `supabase status -o json` the stand-in provides (no Studio, GraphQL or Storage). */
export function statusJson(cfg: StackConfig, mailUrl: string): Record<string, string> {
  return {
    API_URL: cfg.apiUrl,
    REST_URL: `${cfg.apiUrl}/rest/v1`,
    FUNCTIONS_URL: `${cfg.apiUrl}/functions/v1`,
    DB_URL: cfg.dbUrl,
    INBUCKET_URL: mailUrl,
    MAILPIT_URL: mailUrl,
    ANON_KEY: cfg.anonKey,
    SERVICE_ROLE_KEY: cfg.serviceRoleKey,
    JWT_SECRET: cfg.jwtSecret,
    PUBLISHABLE_KEY: cfg.publishableKey,
    SECRET_KEY: cfg.secretKey,
  };
}

export function writeStatusFile(file: string, cfg: StackConfig, mailUrl: string): void {
  writeFileSync(file, `${JSON.stringify(statusJson(cfg, mailUrl), null, 2)}\n`);
}
