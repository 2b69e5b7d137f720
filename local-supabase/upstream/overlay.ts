// A suite's project folder with the runner's SQL adaptations applied (README.md lists each): its supabase/ folder is
// copied to a temporary folder and the named text replaced there; the checkout itself is never changed.
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type SqlAdaptation =
  /** Text replaced in a file inside supabase/, e.g. migrations/00000000000000_schema.sql */
  | { file: string; from: string; to: string }
  /** A file added inside supabase/ (e.g. a last migration). */
  | { file: string; add: string };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The folder to pass to --workdir: the original one when nothing is adapted. */
export function adaptedWorkdir(workdir: string, adaptations: SqlAdaptation[] | undefined): string {
  if (!adaptations?.length) return workdir;
  const out = mkdtempSync(path.join(os.tmpdir(), 'upstream-workdir-'));
  cpSync(path.join(workdir, 'supabase'), path.join(out, 'supabase'), { recursive: true });
  for (const a of adaptations) {
    const file = path.join(out, 'supabase', a.file);
    if ('add' in a) {
      writeFileSync(file, a.add);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    if (!text.includes(a.from)) throw new Error(`adaptation no longer applies: ${a.file} has no ${JSON.stringify(a.from)}`);
    writeFileSync(file, text.split(a.from).join(a.to));
  }
  if (walk(out).length === 0) throw new Error(`nothing copied from ${workdir}`);
  return out;
}
