// Builds widget/dist/widget.js (launcher, IIFE, no framework; the one URL sites embed) and the panel chunk under a
// content-hashed name, widget/dist/panel-<hash>.js (ESM: Preact + realtime-js), which the launcher names. A new
// panel gets a new name, so it can be cached for good; only widget.js needs revalidating. `npm run build:widget`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { minify } from 'terser';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(HERE, 'dist');
/** Which files the last build wrote (names relative to DIST). */
const MANIFEST = path.join(DIST, 'files.json');

export interface BuiltWidget {
  /** Absolute paths. */
  launcher: string;
  panel: string;
  /** The chunks the panel imports statically (shared code), loaded with it: they count against its budget. */
  panelImports: string[];
  /** The attachments chunk the panel loads lazily (widget/src/attachments/). */
  attachments: string;
}

export async function buildWidget(): Promise<BuiltWidget> {
  mkdirSync(DIST, { recursive: true });
  const common = { bundle: true, minify: true, target: 'es2020', legalComments: 'none', logLevel: 'warning' } as const;
  const panelBuild = await build({
    ...common,
    entryPoints: { panel: path.join(HERE, 'src/panel.ts') },
    outdir: DIST,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    // The attachments UI is its own chunk, loaded by the panel once a conversation exists.
    splitting: true,
    metafile: true,
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // realtime-js picks the browser's WebSocket; keep Node-only fallbacks out of the bundle.
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Class fields as constructor assignments, not lowered defineProperty calls: fewer bytes, same behaviour for
    // the panel's classes (no accessors, no inheritance).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  });
  const outputs = Object.entries(panelBuild.metafile.outputs);
  const [panelOut, panelMeta] = outputs.find(([, o]) => o.entryPoint?.endsWith('src/panel.ts'))!;
  const panel = path.basename(panelOut);
  const panelImports = panelMeta.imports.filter((i) => i.kind === 'import-statement').map((i) => path.basename(i.path));
  // The panel's lazy chunks: attachments, the live signals and the German strings (by their entry's name).
  const attachments = path.basename(panelMeta.imports.find((i) => i.kind === 'dynamic-import' && /\/attachments-\w+\.js$/.test(i.path))!.path);
  await build({
    ...common,
    entryPoints: [path.join(HERE, 'src/launcher.ts')],
    outfile: path.join(DIST, 'widget.js'),
    format: 'iife',
    define: { PANEL_FILE: JSON.stringify(panel) },
  });
  await Promise.all([...outputs.map(([f]) => f), path.join(DIST, 'widget.js')].filter((f) => f.endsWith('.js')).map((f) => squeeze(f, !f.endsWith('widget.js'))));
  // Older panel-<hash>.js files stay: a launcher cached before this build may still ask for them.
  writeFileSync(MANIFEST, JSON.stringify({ launcher: 'widget.js', panel, panelImports, attachments }));
  return { launcher: path.join(DIST, 'widget.js'), panel: path.join(DIST, panel), panelImports: panelImports.map((f) => path.join(DIST, f)), attachments: path.join(DIST, attachments) };
}

/** A second, slower minifier pass over esbuild's output: about 1 KB gzip less panel for the same code. Names keep
 * esbuild's content hash, which still changes whenever the source does. */
async function squeeze(file: string, isModule: boolean): Promise<void> {
  const out = await minify(readFileSync(file, 'utf8'), { module: isModule, ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  if (out.code === undefined) throw new Error(`terser produced nothing for ${file}`);
  writeFileSync(file, out.code);
}

/** The files of the last build, or null when there is none (or it is incomplete). */
export function builtWidget(): BuiltWidget | null {
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { launcher: string; panel: string; panelImports?: string[]; attachments?: string };
    if (!m.attachments || !m.panelImports) return null; // a build from before the attachments chunk
    const files = { launcher: path.join(DIST, m.launcher), panel: path.join(DIST, m.panel), panelImports: m.panelImports.map((f) => path.join(DIST, f)), attachments: path.join(DIST, m.attachments) };
    return [files.launcher, files.panel, files.attachments, ...files.panelImports].every((f) => existsSync(f)) ? files : null;
  } catch {
    return null;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildWidget();
  console.log(`built ${path.relative(process.cwd(), out.launcher)} and ${path.relative(process.cwd(), out.panel)}`);
}
