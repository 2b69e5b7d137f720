// The upstream suites the runner knows: where each lives in a supabase/supabase-js checkout, the project folder the
// stand-in is started with, how jest finds its tests, and which of its tests are out of the stand-in's scope.
// What `supabase start` grants that new hosted projects (and the stand-in) do not: the API roles on every table,
// sequence and function of the exposed schemas. Added as the suite's last migration.
const CLI_DEFAULT_GRANTS = (schemas: string[]) =>
  schemas
    .map(
      (s) => `grant usage on schema ${s} to anon, authenticated, service_role;
grant all on all tables in schema ${s} to anon, authenticated, service_role;
grant all on all sequences in schema ${s} to anon, authenticated, service_role;
grant all on all functions in schema ${s} to anon, authenticated, service_role;
`,
    )
    .join('');

import type { SqlAdaptation } from './overlay.ts';

export interface Suite {
  name: string;
  /** The package folder inside the checkout (jest's rootDir). */
  packageDir: string;
  /** The project folder upstream passes to `supabase start --workdir`, relative to packageDir (null: none). */
  workdir: string | null;
  /** The suite's own preparation, run in packageDir before the stand-in starts (as upstream's CI does). */
  prepare?: string[];
  /** SQL the stand-in cannot run as written (a missing extension), replaced in a copy (README.md says why). */
  adaptSql?: SqlAdaptation[];
  testMatch: string[];
  testPathIgnorePatterns?: string[];
  /** Files of the suite loaded after the test framework (its own jest config's setupFilesAfterEnv). */
  setupFilesAfterEnv?: string[];
  /** Suite modules replaced by the runner's (functions-js's Docker relay), relative regex → file in this folder. */
  replace?: Record<string, string>;
  /** The monorepo's workspace links (pnpm), as regex → path inside the checkout. */
  workspace?: Record<string, string>;
  testTimeout?: number;
  alphabetical?: boolean;
  /** Why a test is out of scope (issue 17's scope), or null when it is in scope. */
  outOfScope(file: string, name: string): string | null;
}

/** Features outside the stand-in's scope, matched against "file › test name". */
function rules(list: [RegExp, string][]) {
  return (file: string, name: string) => {
    const subject = `${file} › ${name}`;
    for (const [re, why] of list) if (re.test(subject)) return why;
    return null;
  };
}

export const SUITES: Suite[] = [
  {
    name: 'postgrest-js',
    packageDir: 'packages/core/postgrest-js',
    workdir: 'test',
    adaptSql: [
      { file: 'migrations/00000000000000_schema.sql', from: 'create extension if not exists postgis schema extensions;', to: '' },
      { file: 'migrations/00000000000000_schema.sql', from: 'extensions.geometry(POINT, 4326)', to: 'text' },
      { file: 'migrations/99999999999999_cli_default_grants.sql', add: CLI_DEFAULT_GRANTS(['public', 'personal']) },
    ],
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/test/v12/'],
    testTimeout: 30_000,
    alphabetical: true,
    outOfScope: rules([
      [/aggregate/i, 'aggregates'],
      [/spread/i, 'spread embeds'],
      [/explain/i, 'EXPLAIN (Accept: application/vnd.pgrst.plan)'],
      [/csv|geojson/i, 'other media types'],
      [/abort|timeout|url.length|retry/i, 'client transport (abort, timeout, retry)'],
      [/strip.?nulls/i, 'nulls=stripped media type'],
      [/shops|geo/i, 'PostGIS (not in the stand-in)'],
      [/embeded functions|computed field|blurb_message/i, 'computed fields and computed relationships (functions in select)'],
      [/polymorphic|unresolvable function|overload/i, 'overloaded rpc resolution'],
    ]),
  },
  {
    name: 'auth-js',
    packageDir: 'packages/core/auth-js',
    workdir: 'test',
    prepare: ['node test/generate-signing-keys.js'],
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/docker-tests/', '/example/'],
    testTimeout: 30_000,
    outOfScope: rules([
      [/mfa|totp|factor|challenge|aal/i, 'MFA'],
      [/oauth|provider|sso|saml|idtoken|id token|pkce|code.?verifier|exchangeCodeForSession/i, 'OAuth, SSO, PKCE'],
      [/phone|sms|otp|magic.?link|resend|reauthenticate|recover|reset.?password/i, 'phone, OTP and email-link flows'],
      [/passkey|webauthn|web3|ethereum|solana/i, 'passkeys, WebAuthn, Web3'],
      [/identit|link.?identity|unlink/i, 'identity linking'],
      [/generateLink|generate.?link/i, 'admin.generateLink'],
      [/custom.?provider|oauth.?client|audit/i, 'OAuth server admin, audit log'],
      [/getClaims|jwks|asymmetric/i, 'asymmetric JWT verification in the client'],
    ]),
  },
  {
    name: 'functions-js',
    packageDir: 'packages/core/functions-js',
    workdir: null,
    testMatch: ['<rootDir>/test/spec/**/*.spec.ts'],
    setupFilesAfterEnv: ['<rootDir>/test/utils/jest-custom-reporter.ts'],
    replace: { '^\\.\\./relay/container$': 'functions-relay.cjs' },
    testTimeout: 60_000,
    outOfScope: rules([
      // The deno-relay container marks its own refusal of a bad JWT with `x-relay-error: true` (FunctionsRelayError);
      // `supabase start`'s edge runtime answers 401 {"msg":"Invalid JWT"} (FunctionsHttpError), as the stand-in does.
      [/wrong (key|auth header)/i, "deno-relay's x-relay-error on a bad JWT (supabase start: 401 Invalid JWT)"],
      [/hijack/i, 'Deno.upgradeHttp (removed in Deno 2)'],
      [/region/i, 'regions (hosted routing)'],
    ]),
  },
  {
    name: 'supabase-js',
    packageDir: 'packages/core/supabase-js',
    workdir: '.',
    adaptSql: [{ file: 'migrations/99999999999999_cli_default_grants.sql', add: CLI_DEFAULT_GRANTS(['public']) }],
    testMatch: ['<rootDir>/test/integration.test.ts'],
    setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
    workspace: {
      '^@supabase/tracing$': 'packages/shared/tracing/src/index.ts',
      '^@supabase/(auth-js|postgrest-js|functions-js|realtime-js|storage-js)$': 'packages/core/$1/src/index.ts',
    },
    testTimeout: 30_000,
    outOfScope: rules([
      [/storage/i, 'Storage bucket management'],
      [/postgres.?changes|postgres_changes/i, 'Postgres Changes'],
    ]),
  },
];
