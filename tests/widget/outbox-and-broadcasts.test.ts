// The widget's pure rules for what it sends and what it shows: the outbox never wedges on a refused message,
// control characters are refused as the functions refuse them, and only well-formed broadcasts of this conversation show.
import { describe, expect, it } from 'vitest';
import { hasControlCharacters, stripControlCharacters } from '../../functions/_shared/text-rules.ts';
import { afterFailure, nextToSend, type Outgoing, parseOutbox } from '../../widget/src/outbox.ts';
import { messageFromBroadcast } from '../../widget/src/text.ts';

const item = (id: string, body: string, refused?: string): Outgoing => ({ id, body, createdAt: '2026-12-02T10:00:00.000000Z', ...(refused ? { refused } : {}) });

describe('outbox', () => {
  it('treats a 4xx but 401/408/429 as refused for good, 429 as wait, everything else as retry', () => {
    for (const s of [400, 403, 404, 409, 413, 422]) expect(afterFailure(s)).toBe('refused');
    expect(afterFailure(429)).toBe('wait');
    for (const s of [0, 401, 408, 500, 502, 503]) expect(afterFailure(s)).toBe('retry');
  });

  it('sends the oldest message not refused next, so a refused one never blocks the ones after it', () => {
    expect(nextToSend([item('a', 'x', 'invalid_characters'), item('b', 'y'), item('c', 'z')])?.id).toBe('b');
    expect(nextToSend([item('a', 'x', 'message_too_long')])).toBeUndefined();
  });

  it('reads a stored message with a NUL (as an older widget queued it) back as refused, and keeps the rest sendable', () => {
    const raw = JSON.stringify([item('a', 'before\u0000after'), item('b', 'fine\ttabs\nand lines\r\n')]);
    const out = parseOutbox(raw);
    expect(out.map((o) => [o.id, o.refused])).toEqual([
      ['a', 'invalid_characters'],
      ['b', undefined],
    ]);
    expect(nextToSend(out)?.id).toBe('b');
  });

  it('drops outbox entries of the wrong shape and survives garbage', () => {
    expect(parseOutbox('{"not":"a list"}')).toEqual([]);
    expect(parseOutbox('not json')).toEqual([]);
    expect(parseOutbox(JSON.stringify([null, 7, { id: 1, body: 'x', createdAt: 'y' }, item('ok', 'hi')])).map((o) => o.id)).toEqual(['ok']);
  });
});

describe('control characters', () => {
  it('refuses C0 controls and DEL but allows tab, line feed and carriage return', () => {
    for (const c of ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f', '\u007f']) expect(hasControlCharacters(`a${c}b`)).toBe(true);
    expect(hasControlCharacters('tab\tline\nreturn\r ok – ünïcödé 👋')).toBe(false);
    expect(stripControlCharacters('a\u0000b\u0007c\td')).toBe('abc\td');
  });
});

describe('message.created broadcasts', () => {
  const ours = '11111111-2222-4333-8444-555555555555';
  const row = { id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', conversation_id: ours, sender_kind: 'agent', author_name: 'Sam', body: 'Hello', created_at: '2026-12-02T10:00:00.123456+00:00' };

  it('shows a well-formed row of this conversation', () => {
    expect(messageFromBroadcast(row, ours)).toEqual({ id: row.id, conversationId: ours, senderKind: 'agent', authorName: 'Sam', body: 'Hello', createdAt: '2026-12-02T10:00:00.123456Z' });
    expect(messageFromBroadcast({ ...row, author_name: null, sender_kind: 'visitor' }, ours)?.senderKind).toBe('visitor');
  });

  it('refuses a forged row for another conversation', () => {
    expect(messageFromBroadcast({ ...row, conversation_id: '99999999-2222-4333-8444-555555555555' }, ours)).toBeNull();
  });

  it('refuses malformed payloads', () => {
    const bad: unknown[] = [
      null,
      'text',
      { ...row, id: 'not-a-uuid' },
      { ...row, id: undefined },
      { ...row, conversation_id: undefined },
      { ...row, sender_kind: 'admin' },
      { ...row, body: { html: '<b>x</b>' } },
      { ...row, body: undefined },
      { ...row, author_name: 42 },
      { ...row, created_at: 'yesterday' },
      { ...row, created_at: undefined },
    ];
    for (const p of bad) expect(messageFromBroadcast(p, ours)).toBeNull();
  });
});
