// Builds widget/dist/widget.js (launcher, IIFE, no framework) and widget/dist/panel.js (ESM chunk: Preact +
// realtime-js), minified. `npm run build:widget`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(HERE, 'dist');

export async function buildWidget(): Promise<{ launcher: string; panel: string }> {
  mkdirSync(DIST, { recursive: true });
  const common = { bundle: true, minify: true, target: 'es2020', legalComments: 'none', logLevel: 'warning' } as const;
  await build({ ...common, entryPoints: [path.join(HERE, 'src/launcher.ts')], outfile: path.join(DIST, 'widget.js'), format: 'iife' });
  await build({
    ...common,
    entryPoints: [path.join(HERE, 'src/panel.tsx')],
    outfile: path.join(DIST, 'panel.js'),
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // realtime-js picks the browser's WebSocket; keep Node-only fallbacks out of the bundle.
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return { launcher: path.join(DIST, 'widget.js'), panel: path.join(DIST, 'panel.js') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildWidget();
  console.log(`built ${path.relative(process.cwd(), out.launcher)} and ${path.relative(process.cwd(), out.panel)}`);
}
