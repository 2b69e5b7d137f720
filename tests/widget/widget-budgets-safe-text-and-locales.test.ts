// The widget's budgets, checked on the built files (deterministic bytes), and its pure logic.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../widget/build.ts';
import * as de from '../../widget/locales/de.ts';
import { rating as deRating } from '../../widget/locales/de-rating.ts';
import * as en from '../../widget/locales/en.ts';
import { attachments as enAttachments } from '../../widget/locales/en-attachments.ts';
import { rating as enRating } from '../../widget/locales/en-rating.ts';
import { chooseLocale } from '../../widget/locales/index.ts';
import { type ChatMessage, fromRow, linkify, mergeMessages } from '../../widget/src/text.ts';

let files: Awaited<ReturnType<typeof buildWidget>>;
beforeAll(async () => {
  files = await buildWidget();
}, 60_000);

const gzipBytes = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

describe('widget size budgets', () => {
  it('keeps the launcher (widget.js) at or under 4 KB gzip', () => {
    expect(gzipBytes(files.launcher)).toBeLessThanOrEqual(4 * 1024);
  });

  it('keeps the panel chunk, with the shared chunks it imports, at or under 30 KB gzip', () => {
    const loaded = [files.panel, ...files.panelImports].reduce((n, f) => n + gzipBytes(f), 0);
    expect(loaded).toBeLessThanOrEqual(30 * 1024);
  });

  it('loads the attachments UI as its own chunk, on demand, at or under 6 KB gzip', () => {
    expect(files.attachments).toMatch(/attachments-[A-Z0-9]{8,}\.js$/);
    expect(readFileSync(files.panel, 'utf8')).toContain(files.attachments.split('/').at(-1));
    expect(gzipBytes(files.attachments)).toBeLessThanOrEqual(6 * 1024);
  });

  it('leaves the German strings and the live signals out of what every visitor loads first', () => {
    const loaded = [files.panel, ...files.panelImports].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(loaded).not.toContain(de.panel.seen);
    expect(loaded).not.toContain('availability:');
    expect(readFileSync(files.panel, 'utf8')).toMatch(/import\("\.\/de-[A-Z0-9]{8,}\.js"\)/);
    expect(readFileSync(files.panel, 'utf8')).toMatch(/import\("\.\/live-[A-Z0-9]{8,}\.js"\)/);
  });

  it('loads the rating prompt (CSAT) as its own chunk, on demand, with its strings only there', () => {
    const name = /import\("\.\/(csat-[A-Z0-9]{8,}\.js)"\)/.exec(readFileSync(files.panel, 'utf8'))?.[1];
    expect(name).toBeDefined();
    const loaded = [files.panel, ...files.panelImports].map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const s of [enRating.question, deRating.question, enRating.thanks]) expect(loaded).not.toContain(s);
    const chunk = readFileSync(path.join(path.dirname(files.panel), name!), 'utf8');
    for (const s of [enRating.question, deRating.question, enRating.commentLabel]) expect(chunk).toContain(s);
    expect(chunk).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
    expect(gzipSync(chunk, { level: 9 }).length).toBeLessThanOrEqual(3 * 1024);
    expect(Object.keys(deRating).sort()).toEqual(Object.keys(enRating).sort());
  });

  it('ships no full supabase-js and no auth-js in either file', () => {
    for (const f of [files.launcher, files.panel, files.attachments, ...files.panelImports]) {
      const src = readFileSync(f, 'utf8');
      expect(src).not.toMatch(/GoTrueClient|PostgrestClient|StorageClient/);
    }
    expect(readFileSync(files.launcher, 'utf8')).not.toMatch(/preact|RealtimeClient/i);
  });
});

describe('message text', () => {
  it('turns http(s) URLs into link parts and leaves everything else as text', () => {
    expect(linkify('see https://acme.test/a?b=1. Thanks')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://acme.test/a?b=1', href: 'https://acme.test/a?b=1' },
      { kind: 'text', text: '. Thanks' },
    ]);
  });

  it('never links javascript: or data: URLs and keeps HTML as plain text', () => {
    const parts = linkify('<img src=x onerror=alert(1)> javascript:alert(1) data:text/html,<b>x</b>');
    expect(parts).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)> javascript:alert(1) data:text/html,<b>x</b>' }]);
  });

  it('merges by id: an optimistic message is replaced by the server copy, never doubled', () => {
    const optimistic: ChatMessage = { id: 'a', conversationId: 'c', senderKind: 'visitor', authorName: null, body: 'hi', createdAt: '2026-01-01T00:00:01.000Z', state: 'sending' };
    const server: ChatMessage = { ...optimistic, state: undefined, createdAt: '2026-01-01T00:00:02.000Z' };
    const reply: ChatMessage = { id: 'b', conversationId: 'c', senderKind: 'agent', authorName: 'Sam', body: 'hello', createdAt: '2026-01-01T00:00:03.000Z' };
    const merged = mergeMessages(mergeMessages([optimistic], [reply, server]), [server, reply]);
    expect(merged.map((m) => [m.id, m.state ?? 'sent'])).toEqual([
      ['a', 'sent'],
      ['b', 'sent'],
    ]);
  });

  it("shows a message still sending below every stored one, even when the visitor's clock runs behind the server's", () => {
    const stored: ChatMessage = { id: 'b', conversationId: 'c', senderKind: 'agent', authorName: 'Sam', body: 'stored', createdAt: '2026-01-01T00:00:05.000Z' };
    const behind: ChatMessage = { id: 'a', conversationId: 'c', senderKind: 'visitor', authorName: null, body: 'sending', createdAt: '2026-01-01T00:00:03.000Z', state: 'sending' };
    const failed: ChatMessage = { ...behind, id: 'f', body: 'failed', createdAt: '2026-01-01T00:00:01.000Z', state: 'failed' };
    expect(mergeMessages([behind, failed], [stored]).map((m) => m.body)).toEqual(['failed', 'stored', 'sending']);
    // Once stored, the server's time decides.
    expect(mergeMessages([behind], [stored, { ...behind, state: undefined, createdAt: '2026-01-01T00:00:06.000Z' }]).map((m) => m.body)).toEqual(['stored', 'sending']);
  });

  it('orders two messages stored within the same millisecond as the database does (microseconds, then id)', () => {
    // Rows as Realtime broadcasts them. The later one has the smaller id, so a millisecond clock would put it first.
    const row = (id: string, created_at: string) => ({ id, conversation_id: 'c', sender_kind: 'visitor', author_name: null, body: id, created_at });
    const first = fromRow(row('8fcef0bd-0000-4000-8000-000000000000', '2026-11-25T08:55:01.123456+00:00'));
    const second = fromRow(row('83196a72-0000-4000-8000-000000000000', '2026-11-25T09:55:01.123789+01:00'));
    expect(first.createdAt).toBe('2026-11-25T08:55:01.123456Z');
    expect(mergeMessages([], [second, first]).map((m) => m.body)).toEqual([first.body, second.body]);
    // Same microsecond: the id decides, compared as the database compares uuids.
    const tie = fromRow(row('8fcef0bd-0000-4000-8000-000000000001', '2026-11-25T08:55:01.123456Z'));
    expect(mergeMessages([], [tie, first]).map((m) => m.body)).toEqual([first.body, tie.body]);
  });
});

describe('locales', () => {
  it('has every English string in German too', () => {
    expect(Object.keys(de.panel).sort()).toEqual(Object.keys(en.panel).sort());
    expect(Object.keys(de.attachments).sort()).toEqual(Object.keys(enAttachments).sort());
    expect(Object.keys(de.launcher).sort()).toEqual(Object.keys(en.launcher).sort());
  });

  it('chooses data-locale first, then the browser, then the widget setting, then English', () => {
    expect(chooseLocale('de', ['en-US'], 'en')).toBe('de');
    expect(chooseLocale(null, ['fr-FR', 'de-AT'], 'en')).toBe('de');
    expect(chooseLocale(null, ['fr-FR'], 'de')).toBe('de');
    expect(chooseLocale('xx', ['fr'], null)).toBe('en');
  });
});
