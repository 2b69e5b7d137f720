// CLI of the local stand-in: `stack [--workdir DIR ...]` (foreground), `db:reset [--workdir DIR ...]`. `npm start` uses runStack().
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import exitHook from 'async-exit-hook';
import { parseStackArgs, writeStatusFile } from './cli-args.ts';
import { loadConfig, type StackOptions } from './config.ts';
import { MigrationError, wipeData } from './postgres.ts';
import { assertNotRunning, type RunningStack, StackAlreadyRunningError, startStack } from './stack.ts';

export function printStatus(stack: RunningStack): void {
  const { cfg } = stack;
  console.log(`
Local Supabase is running.
         API URL: ${cfg.apiUrl}
     GraphQL URL: (not provided by the local stand-in)
          DB URL: ${cfg.dbUrl}
        anon key: ${cfg.anonKey}
service_role key: ${cfg.serviceRoleKey}
 Publishable key: ${cfg.publishableKey}
      Secret key: ${cfg.secretKey}
      JWT secret: ${cfg.jwtSecret}
    Inbucket URL: ${stack.mail.url} (mail catcher: Auth's mails and its Resend-style POST /emails)
`);
}

/** Starts the stack and stops it cleanly on Ctrl-C / SIGTERM. Exits with a clear message on known failures. */
export async function runStack(opts: StackOptions = {}): Promise<RunningStack> {
  try {
    const stack = await startStack(opts);
    exitHook((done) => {
      console.log('\nStopping the local Supabase...');
      stack.stop().then(done, (err) => {
        console.error(err);
        done();
      });
    });
    return stack;
  } catch (err) {
    if (err instanceof StackAlreadyRunningError) {
      console.error(err.message);
      process.exit(1);
    }
    if (err instanceof MigrationError) {
      console.error(`Migration failed, nothing of it was applied:\n  ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

const isMain = process.argv[1] ? path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) : false;
// `main.ts --workdir DIR` means `main.ts stack --workdir DIR`.
const rest = process.argv.slice(2);
const command = isMain ? (rest[0] && !rest[0].startsWith('--') ? rest.shift()! : 'stack') : null;
if (command === null) {
  // Imported (by scripts/start.ts): nothing to run here.
} else if (command === 'stack') {
  let cli: ReturnType<typeof parseStackArgs>;
  try {
    cli = parseStackArgs(rest);
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm run stack -- [--workdir DIR] [--api-port N] [--db-port N] [--data-dir D] [--status-file F]`);
    process.exit(2);
  }
  const stack = await runStack(cli.stack);
  if (cli.statusFile) writeStatusFile(cli.statusFile, stack.cfg, stack.mail.url);
  printStatus(stack);
} else if (command === 'db:reset') {
  // Like `supabase db reset --workdir DIR`: wipe the data folder, re-apply migrations and seed, leave it stopped.
  let cli: ReturnType<typeof parseStackArgs>;
  try {
    cli = parseStackArgs(rest);
    if (cli.statusFile) throw new Error('--status-file is an option of stack, not of db:reset');
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm run db:reset -- [--workdir DIR] [--db-port N] [--data-dir D]`);
    process.exit(2);
  }
  const opts = { ...cli.stack, quiet: true };
  const cfg = loadConfig(opts);
  const started = Date.now();
  try {
    assertNotRunning(cfg);
  } catch (err) {
    console.error(`Cannot reset while it runs: ${(err as Error).message}`);
    process.exit(1);
  }
  await wipeData(cfg);
  const stack = await startStack(opts).catch((err) => {
    console.error(err instanceof MigrationError ? `Migration failed, nothing of it was applied:\n  ${err.message}` : err instanceof Error ? err.message : err);
    process.exit(1);
  });
  await stack.stop();
  console.log(`Database reset: migrations and seed re-applied (${Date.now() - started} ms).`);
} else {
  console.error(`unknown command ${command}; use "stack" or "db:reset"`);
  process.exit(2);
}
