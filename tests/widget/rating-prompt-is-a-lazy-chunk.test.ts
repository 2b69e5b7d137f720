// The rating prompt (CSAT) on the built files: its own chunk that the panel imports only on demand, its strings
// (English and German, same keys) in that chunk and not in what every visitor loads, and no HTML built from text.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, DIST } from '../../widget/build.ts';
import { rating as de } from '../../widget/locales/de-rating.ts';
import { rating as en } from '../../widget/locales/en-rating.ts';

let files: Awaited<ReturnType<typeof buildWidget>>;
beforeAll(async () => {
  files = await buildWidget();
}, 60_000);

describe('the rating prompt chunk', () => {
  it('is imported by the panel only dynamically, and its strings ship only in it', () => {
    const panel = readFileSync(files.panel, 'utf8');
    const name = /import\("\.\/(csat-[A-Z0-9]{8,}\.js)"\)/.exec(panel)?.[1];
    expect(name).toBeDefined();
    const loaded = [files.panel, ...files.panelImports].map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const s of [en.question, de.question, en.thanks]) expect(loaded).not.toContain(s);
    const chunk = readFileSync(path.join(DIST, name!), 'utf8');
    for (const s of [en.question, de.question, en.commentLabel, de.commentLabel]) expect(chunk).toContain(s);
    expect(chunk).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
    expect(gzipSync(chunk, { level: 9 }).length).toBeLessThanOrEqual(3 * 1024);
    expect(readdirSync(DIST)).toContain(name);
  });

  it('has every English string in German too', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });
});
