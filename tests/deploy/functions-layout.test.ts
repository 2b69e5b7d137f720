// The functions must deploy unchanged to hosted Supabase (`supabase functions deploy`), where only the import
// map in functions/deno.json resolves bare imports: locally Deno could also find them in node_modules, so a
// forgotten mapping would only break on hosted. These checks read the files; they need no stack.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';

const FUNCTIONS = path.resolve('functions');
const denoJson = JSON.parse(readFileSync(path.join(FUNCTIONS, 'deno.json'), 'utf8')) as { imports: Record<string, string> };
const config = parse(readFileSync(path.resolve('supabase/config.toml'), 'utf8')) as {
  functions: Record<string, { entrypoint?: string; import_map?: string; verify_jwt?: boolean }>;
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('functions deploy layout', () => {
  it('maps every bare import of functions/ in functions/deno.json, to an npm: specifier', () => {
    const bare = new Set<string>();
    for (const file of sources(FUNCTIONS)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2])!;
        if (!spec.startsWith('.') && !/^(npm|jsr|node|https?):/.test(spec)) bare.add(spec);
      }
    }
    expect(bare.size).toBeGreaterThan(0);
    for (const spec of bare) {
      const target = denoJson.imports[spec] ?? Object.entries(denoJson.imports).find(([k]) => k.endsWith('/') && spec.startsWith(k))?.[1];
      expect(target, `${spec} is not in functions/deno.json`).toMatch(/^npm:/);
    }
  });

  it('declares each function folder in supabase/config.toml with its entrypoint and the shared import map', () => {
    const folders = readdirSync(FUNCTIONS).filter((n) => !n.startsWith('_') && statSync(path.join(FUNCTIONS, n)).isDirectory());
    expect(Object.keys(config.functions).sort()).toEqual(folders.sort());
    for (const name of folders) {
      expect(config.functions[name]).toMatchObject({ entrypoint: `../functions/${name}/index.ts`, import_map: '../functions/deno.json' });
    }
    // Only the config (read before any sign-in), the scheduled jobs (each with its own secret, ADR 0014 and 0019) and
    // Meta's webhook (signed with X-Hub-Signature-256 instead, ADR 0019) are open; the others need a visitor's or
    // agent's JWT at the gateway.
    expect(Object.entries(config.functions).filter(([, f]) => f.verify_jwt === false).map(([n]) => n).sort()).toEqual([
      'email-follow-up',
      'meta-delivery-job',
      'meta-webhook',
      'widget-config',
    ]);
  });
});
