// Settings of the local stand-in: the same ports, secret and demo keys as `supabase start`,
// plus what <workdir>/supabase/config.toml says about auth, functions and the seed (workdir: this project by default).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { fromEnv, type JwtKeys, projectApiKeys, readSigningKeys } from './project-keys.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SUPABASE_DIR = path.join(ROOT, 'supabase');

/** The JWT secret and demo keys every `supabase start` uses (public, for local use only). */
export const JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';
export const PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

export interface FunctionConfig {
  name: string;
  enabled: boolean;
  verifyJwt: boolean;
  /** Absolute path of the entrypoint file. */
  entrypoint: string;
  /** Absolute path of the import map / deno.json (`import_map`), when set. */
  importMap?: string;
}

export interface AuthConfig {
  siteUrl: string;
  jwtExpiry: number;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  enableSignup: boolean;
  enableAnonymousSignIns: boolean;
  minimumPasswordLength: number;
  emailSignup: boolean;
  emailConfirmations: boolean;
  /** Besides site_url, where Auth may send a user back after an email link (`additional_redirect_urls`). */
  additionalRedirectUrls: string[];
  /** Seconds an email link stays valid (`[auth.email] otp_expiry`). */
  emailOtpExpiry: number;
  /** `[auth.email.template.<type>]`: subject and absolute path of the HTML body, per mail type (invite, confirmation). */
  emailTemplates: Record<string, { subject?: string; contentPath?: string }>;
  /** Anonymous sign-ins per hour per address (`[auth.rate_limit] anonymous_users`, hosted default 30). */
  anonymousUsersPerHour: number;
  /** The header whose first value is the caller's address for rate limits (GoTrue's RATE_LIMIT_HEADER). */
  rateLimitHeader: string;
}

export interface StackConfig {
  /** The project's `supabase/` folder (`--workdir DIR` → DIR/supabase): config.toml, migrations, seed, functions. */
  supabaseDir: string;
  /** Seed files, absolute, in order (`[db.seed] sql_paths`, default ./seed.sql; none when `enabled = false`). */
  seedFiles: string[];
  apiPort: number;
  dbPort: number;
  /** The mail catcher's port (`[local_smtp] port`, the CLI's name since v3; older configs' `[inbucket]` too); 0 picks a free one, the real one is set once it listens. */
  mailPort: number;
  /** Where Postgres keeps its files. */
  dataDir: string;
  /** Public URL of the gateway, e.g. http://127.0.0.1:54321 */
  apiUrl: string;
  /** Connection string for the `postgres` role, as `supabase status` prints it. */
  dbUrl: string;
  /** Superuser connection string used by the stand-in's own services. */
  adminDbUrl: string;
  jwtSecret: string;
  /** The secret and `[auth] signing_keys_path` keys: what every service verifies JWTs with, and Auth signs with. */
  jwtKeys: JwtKeys;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  maxRows: number;
  exposedSchemas: string[];
  extraSearchPath: string[];
  auth: AuthConfig;
  functions: FunctionConfig[];
  /** `[edge_runtime.secrets]`: NAME = "value" or "env(VAR)", resolved when a function's process starts (reference §5.4). */
  functionSecrets: Record<string, string>;
  /** Quiet logs (tests). */
  quiet: boolean;
}

type Toml = Record<string, any>;

export function readToml(file = path.join(SUPABASE_DIR, 'config.toml')): Toml {
  return parse(readFileSync(file, 'utf8')) as Toml;
}

export interface StackOptions {
  /** A Supabase project folder, like `supabase start --workdir DIR` (default: this project). */
  workdir?: string;
  apiPort?: number;
  dbPort?: number;
  dataDir?: string;
  quiet?: boolean;
  /** The mail catcher's port; defaults to `[local_smtp] port`, or a free one when apiPort is given (test stacks). */
  mailPort?: number;
  /** Overrides `[auth.rate_limit] anonymous_users` (also LOCAL_SUPABASE_AUTH_ANONYMOUS_PER_HOUR): test stacks raise it. */
  anonymousUsersPerHour?: number;
}

/** A rate limit setting: a number >= 0, else the stack refuses to start (as the CLI refuses a bad config.toml). */
function perHour(v: unknown): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`[auth.rate_limit] anonymous_users must be a number >= 0, got ${String(v)}`);
  return n;
}

export function loadConfig(opts: StackOptions = {}): StackConfig {
  const supabaseDir = opts.workdir ? path.resolve(opts.workdir, 'supabase') : SUPABASE_DIR;
  const toml = readToml(path.join(supabaseDir, 'config.toml'));
  const seed = toml.db?.seed ?? {};
  const seedFiles = seed.enabled === false ? [] : ((seed.sql_paths as string[] | undefined) ?? ['./seed.sql']).map((f) => path.resolve(supabaseDir, f));
  const apiPort = opts.apiPort ?? Number(process.env.LOCAL_SUPABASE_API_PORT ?? toml.api?.port ?? 54321);
  const dbPort = opts.dbPort ?? Number(process.env.LOCAL_SUPABASE_DB_PORT ?? toml.db?.port ?? 54322);
  // Test stacks pass their own apiPort: they must not all fight for the one mail catcher port.
  const mailPort = opts.mailPort ?? Number(process.env.LOCAL_SUPABASE_MAIL_PORT ?? (opts.apiPort !== undefined ? 0 : (toml.local_smtp?.port ?? toml.inbucket?.port ?? 54324)));
  const dataDir = opts.dataDir ?? process.env.LOCAL_SUPABASE_DATA_DIR ?? path.join(supabaseDir, '.local-data');
  const auth = toml.auth ?? {};
  const jwtKeys: JwtKeys = { secret: fromEnv(auth.jwt_secret) ?? JWT_SECRET, signing: readSigningKeys(supabaseDir, auth.signing_keys_path) };
  const apiKeys = projectApiKeys(jwtKeys, { anon: ANON_KEY, service: SERVICE_ROLE_KEY, secret: JWT_SECRET });
  const functions: FunctionConfig[] = Object.entries((toml.functions ?? {}) as Toml).map(([name, f]) => ({
    name,
    enabled: f.enabled ?? true,
    verifyJwt: f.verify_jwt ?? true,
    entrypoint: path.resolve(supabaseDir, f.entrypoint ?? `./functions/${name}/index.ts`),
    importMap: f.import_map ? path.resolve(supabaseDir, f.import_map) : undefined,
  }));
  return {
    supabaseDir,
    seedFiles,
    apiPort,
    dbPort,
    mailPort,
    dataDir,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    dbUrl: `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`,
    adminDbUrl: `postgresql://supabase_admin:postgres@127.0.0.1:${dbPort}/postgres`,
    jwtSecret: jwtKeys.secret,
    jwtKeys,
    anonKey: apiKeys.anon,
    serviceRoleKey: apiKeys.service,
    publishableKey: PUBLISHABLE_KEY,
    secretKey: SECRET_KEY,
    maxRows: toml.api?.max_rows ?? 1000,
    exposedSchemas: toml.api?.schemas ?? ['public', 'graphql_public'],
    extraSearchPath: toml.api?.extra_search_path ?? ['public', 'extensions'],
    auth: {
      siteUrl: auth.site_url ?? 'http://127.0.0.1:3000',
      jwtExpiry: auth.jwt_expiry ?? 3600,
      refreshTokenRotation: auth.enable_refresh_token_rotation ?? true,
      refreshTokenReuseInterval: auth.refresh_token_reuse_interval ?? 10,
      enableSignup: auth.enable_signup ?? true,
      enableAnonymousSignIns: auth.enable_anonymous_sign_ins ?? false,
      minimumPasswordLength: auth.minimum_password_length ?? 6,
      emailSignup: auth.email?.enabled ?? auth.email?.enable_signup ?? true,
      emailConfirmations: auth.email?.enable_confirmations ?? false,
      additionalRedirectUrls: auth.additional_redirect_urls ?? [],
      emailOtpExpiry: auth.email?.otp_expiry ?? 3600,
      emailTemplates: Object.fromEntries(
        Object.entries((auth.email?.template ?? {}) as Toml).map(([type, t]) => [
          type,
          { subject: t.subject, contentPath: t.content_path ? path.resolve(supabaseDir, '..', t.content_path) : undefined },
        ]),
      ),
      anonymousUsersPerHour: perHour(opts.anonymousUsersPerHour ?? process.env.LOCAL_SUPABASE_AUTH_ANONYMOUS_PER_HOUR ?? auth.rate_limit?.anonymous_users ?? 30),
      rateLimitHeader: process.env.LOCAL_SUPABASE_AUTH_RATE_LIMIT_HEADER ?? 'X-Forwarded-For',
    },
    functions,
    functionSecrets: Object.fromEntries(Object.entries((toml.edge_runtime?.secrets ?? {}) as Toml).map(([k, v]) => [k, String(v)])),
    quiet: opts.quiet ?? false,
  };
}
