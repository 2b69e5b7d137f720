// Which functions exist: folders with an index.ts plus config.toml's [functions.NAME] entries (verify_jwt,
// entrypoint, import_map), and a fingerprint of each functions folder, cached while no watched folder changes.
import { existsSync, type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import { readToml } from '../config.ts';

export interface FunctionSpec {
  name: string;
  entrypoint: string;
  verifyJwt: boolean;
  /** The functions folder it was found in: its .env holds the secrets, its files its version. */
  root: string;
  /** config.toml's import_map, else a deno.json(c) / import_map.json in the function's folder (the CLI's order). */
  importMap?: string;
}

export interface ConfiguredFunction {
  name: string;
  enabled: boolean;
  verifyJwt: boolean;
  entrypoint?: string;
  importMap?: string;
}

export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
  }
  return out;
}

export /** Newest modification time and number of files under a folder (node_modules and dot-folders skipped); `onDir` sees each folder walked. */
function fingerprint(dir: string, onDir: (d: string) => void = () => undefined): string {
  let newest = 0;
  let count = 0;
  const walk = (d: string) => {
    onDir(d);
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else {
        try {
          newest = Math.max(newest, statSync(p).mtimeMs);
          count += 1;
        } catch {
          // deleted while walking
        }
      }
    }
  };
  walk(dir);
  return `${newest}:${count}`;
}

function folderImportMap(entrypoint: string): string | undefined {
  const dir = path.dirname(entrypoint);
  return ['deno.json', 'deno.jsonc', 'import_map.json'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
}


export class FunctionCatalog {
  private closed = false;
  // What discover() and fingerprint() find is kept while no watched folder changes: every folder they walk is
  // watched (inotify), and any event drops the cache and the watchers, so the next request looks again. A file
  // written just before a request is seen by it: its event is queued before the request's bytes arrive.
  // Where folders cannot be watched, every request looks (as before).
  private found: { specs: Map<string, FunctionSpec>; versions: Map<string, string> } | null = null;
  private readonly watchers = new Map<string, FSWatcher>();
  private canWatch = true;

  constructor(
    private readonly functionsDir: string,
    private readonly extraDirs: string[],
    private readonly configured: ConfiguredFunction[],
  ) {}

  /** The functions and each folder's fingerprint, as of now. */
  look(): { specs: Map<string, FunctionSpec>; versions: Map<string, string> } {
    if (this.found && this.canWatch) return this.found;
    this.forget();
    for (const d of [this.functionsDir, ...this.extraDirs]) if (existsSync(d)) this.watchDir(d);
    const specs = this.discover();
    const versions = new Map<string, string>();
    for (const spec of specs.values()) if (!versions.has(spec.root)) versions.set(spec.root, fingerprint(spec.root, (d) => this.watchDir(d)));
    this.found = { specs, versions };
    return this.found;
  }

  close() {
    this.closed = true;
    this.forget();
  }

  private forget = () => {
    this.found = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  };

  private watchDir(d: string) {
    if (!this.canWatch || this.closed || this.watchers.has(d)) return;
    try {
      const w = watch(d, { persistent: false }, this.forget);
      w.on('error', this.forget);
      this.watchers.set(d, w);
    } catch {
      this.canWatch = false;
    }
  }

  /** Folders with an index.ts, plus [functions.NAME] entries of config.toml (which also set verify_jwt, default true). */
  private discover(): Map<string, FunctionSpec> {
    const specs = new Map<string, FunctionSpec>();
    scan(this.functionsDir, specs);
    applyConfig(this.functionsDir, this.configured, specs);
    for (const dir of this.extraDirs) {
      scan(dir, specs);
      const toml = path.join(dir, 'config.toml');
      if (existsSync(toml)) {
        const parsed = readToml(toml) as { functions?: Record<string, { verify_jwt?: boolean; enabled?: boolean }> };
        applyConfig(
          dir,
          Object.entries(parsed.functions ?? {}).map(([name, f]) => ({ name, enabled: f.enabled ?? true, verifyJwt: f.verify_jwt ?? true })),
          specs,
        );
      }
    }
    return specs;
  }
}

function scan(dir: string, specs: Map<string, FunctionSpec>) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(entry.name)) continue;
    const file = path.join(dir, entry.name, 'index.ts');
    if (existsSync(file)) specs.set(entry.name, { name: entry.name, entrypoint: file, verifyJwt: true, root: dir, importMap: folderImportMap(file) });
  }
}

function applyConfig(
  root: string,
  entries: ConfiguredFunction[],
  specs: Map<string, FunctionSpec>,
) {
  for (const f of entries) {
    if (!f.enabled) {
      specs.delete(f.name);
      continue;
    }
    const known = specs.get(f.name);
    const entrypoint = f.entrypoint && existsSync(f.entrypoint) ? f.entrypoint : known?.entrypoint;
    if (!entrypoint) continue;
    const importMap = f.importMap && existsSync(f.importMap) ? f.importMap : folderImportMap(entrypoint);
    // An entrypoint outside the functions folder (`entrypoint = "../functions/x/index.ts"`): the folder holding
    // the function's folder is its root (its .env, and the files whose change restarts it, e.g. a shared `_shared/`).
    const entryRoot = known?.root ?? (entrypoint.startsWith(root + path.sep) ? root : path.dirname(path.dirname(entrypoint)));
    specs.set(f.name, { name: f.name, entrypoint, verifyJwt: f.verifyJwt, root: entryRoot, importMap });
  }
}

