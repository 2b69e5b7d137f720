// The panel's sync engine (widget/src/sync/) with the real WidgetClient, against a fake of Supabase's HTTP and
// Realtime side (fake-supabase.ts says why): a visitor's messages are never lost, never doubled, never held
// back by a refused one, and shown in the database's order; unread counts and read marks hold across reloads.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { panel as t } from '../../widget/locales/en.ts';
import { WidgetClient } from '../../widget/src/client.ts';
import { LiveSignals } from '../../widget/src/live.ts';
import { storageKey } from '../../widget/src/shared.ts';
import { ChatSync } from '../../widget/src/sync/engine.ts';
import type { SyncDeps } from '../../widget/src/sync/ports.ts';
import { FakeSupabase } from './fake-supabase.ts';

const KEY = 'pk_test_shop';
const OPTIONS = { widgetKey: KEY, supabaseUrl: 'https://project.supabase.test', anonKey: 'anon-key', locale: null };

/** localStorage as the browser keeps it (one per test: a reload keeps it, a new visitor does not). */
function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, String(v)), removeItem: (k: string) => void m.delete(k) };
}

let server: FakeSupabase;
beforeEach(() => {
  server = new FakeSupabase();
  vi.stubGlobal('fetch', server.fetch);
  vi.stubGlobal('localStorage', memoryStorage());
  vi.stubGlobal('location', { href: 'https://shop.test/pricing' });
  // The client's session refresh timer is not under test: it never fires here.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Lets every answer and callback already under way run to the end (no real I/O: a few turns suffice). */
async function settle() {
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
}

/** The panel as the page loads it (again, for a reload): the engine, the launcher's side, and its timers. */
function loadWidget({ open = false, live }: { open?: boolean; live?: SyncDeps['live'] } = {}) {
  const host = { locale: 'en', open, unread: 0, emitted: [] as { id: string }[] };
  const timers: { fn: () => void; ms: number }[] = [];
  const sync = new ChatSync({
    host: { locale: 'en', isOpen: () => host.open, emit: (_e, m) => host.emitted.push(m as { id: string }), setUnread: (n) => (host.unread = n) },
    api: new WidgetClient(OPTIONS),
    realtime: () => server.realtime,
    get: (what) => localStorage.getItem(storageKey(KEY, what)),
    set: (what, value) => localStorage.setItem(storageKey(KEY, what), value),
    remove: (what) => localStorage.removeItem(storageKey(KEY, what)),
    later(fn, ms) {
      const timer = { fn, ms };
      timers.push(timer);
      return () => timers.includes(timer) && void timers.splice(timers.indexOf(timer), 1);
    },
    online: () => true,
    page: () => ({ url: location.href, title: 'Pricing' }),
    t,
    live,
  });
  /** Runs the timers that are due now (a retry, a rejoin) and what they start. */
  const runTimers = async () => {
    for (const timer of timers.splice(0)) timer.fn();
    await settle();
  };
  return { sync, host, timers, runTimers };
}

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

/** A visitor who has started a conversation with `first`. */
async function startedChat(first = 'hello', opts?: { open?: boolean }) {
  const w = loadWidget(opts);
  await w.sync.send(first);
  await settle();
  expect(server.conversationId).toBeTruthy();
  return w;
}

describe('sending', () => {
  it('a message the function refuses for good is shown failed and does not hold back the ones after it', async () => {
    server.refuses = (body) => (body.startsWith('too long') ? { status: 413, code: 'message_too_long' } : null);
    const w = await startedChat('first');
    void w.sync.send('too long …');
    void w.sync.send('third');
    await settle();
    expect(bodies(server.ordered())).toEqual(['first', 'third']);
    expect(w.sync.messages.map((m) => [m.body, m.state ?? 'sent', m.reason])).toEqual([
      ['first', 'sent', undefined],
      ['too long …', 'failed', 'message_too_long'],
      ['third', 'sent', undefined],
    ]);
    // After a reload it is still failed (the visitor edits or drops it) and never sent again.
    const postsBefore = server.calls.filter((c) => c.startsWith('POST widget-messages')).length;
    const reloaded = loadWidget();
    await settle();
    expect(reloaded.sync.messages.find((m) => m.body === 'too long …')?.state).toBe('failed');
    expect(server.calls.filter((c) => c.startsWith('POST widget-messages')).length).toBe(postsBefore);
  });

  it('text with control characters is shown failed at once and never sent', async () => {
    const w = await startedChat();
    await w.sync.send('bad\u0000text');
    // Waits for the outcome rather than a fixed number of turns: on a loaded machine a lazy chunk may load later.
    // Found by body, not as the last row: sent within the same millisecond as "hello", the two tie on time.
    await vi.waitFor(() => expect(w.sync.messages.find((m) => m.body === 'bad\u0000text')).toMatchObject({ body: 'bad\u0000text', state: 'failed', reason: 'invalid_characters' }));
    await settle();
    expect(bodies(server.rows)).toEqual(['hello']);
  });

  it('a send that fails with a 503 is retried under the same id after a doubling backoff, and stored once', async () => {
    const w = await startedChat();
    server.fail('widget-messages:POST', { status: 503, code: 'unavailable' }, { status: 503, code: 'unavailable' });
    await w.sync.send('again');
    await settle();
    expect(w.sync.notice).toBe(t.error);
    expect(w.sync.messages.at(-1)).toMatchObject({ body: 'again', state: 'sending' });
    expect(w.timers.map((x) => x.ms)).toEqual([3000]);
    await w.runTimers();
    expect(w.timers.map((x) => x.ms)).toEqual([6000]);
    await w.runTimers();
    const sent = server.calls.filter((c) => c.startsWith('POST widget-messages'));
    expect(new Set(sent.map((c) => c.split(' ')[2])).size).toBe(1);
    expect(bodies(server.rows)).toEqual(['hello', 'again']);
    expect(w.sync.messages.map((m) => [m.body, m.state ?? 'sent'])).toEqual([
      ['hello', 'sent'],
      ['again', 'sent'],
    ]);
    expect(w.sync.notice).toBeNull();
  });

  it('a 429 waits as long as Retry-After says, then sends', async () => {
    const w = await startedChat();
    server.fail('widget-messages:POST', { status: 429, code: 'rate_limited', retryAfter: 7 });
    await w.sync.send('slow down');
    await settle();
    expect(w.sync.notice).toBe(t.wait(7));
    expect(w.timers.map((x) => x.ms)).toEqual([7000]);
    await w.runTimers();
    expect(bodies(server.rows)).toEqual(['hello', 'slow down']);
  });

  it('unsent messages survive a reload and go out under the same id, once, whichever tab retries first', async () => {
    const w = await startedChat();
    server.fail('widget-messages:POST', { status: 503, code: 'unavailable' });
    await w.sync.send('kept');
    await settle();
    expect(bodies(server.rows)).toEqual(['hello']);
    const reloaded = loadWidget();
    await settle();
    await w.runTimers(); // the old page's retry, late
    const ids = server.calls.filter((c) => c.startsWith('POST widget-messages')).map((c) => c.split(' ')[2]);
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(1);
    expect(bodies(server.rows)).toEqual(['hello', 'kept']);
    expect(bodies(reloaded.sync.messages)).toEqual(['hello', 'kept']);
  });

  it('a refused anonymous sign-in offers a retry button, and the retry starts the chat with the first message', async () => {
    server.fail('signup', { status: 429, code: 'over_request_rate_limit' });
    const w = loadWidget();
    await w.sync.send('hi there');
    await settle();
    expect([w.sync.notice, w.sync.canRetry]).toEqual([t.signInLimited, true]);
    expect(w.sync.messages[0]).toMatchObject({ body: 'hi there', state: 'sending' });
    expect(w.timers).toEqual([]);
    w.sync.retryNow();
    await w.runTimers();
    expect(bodies(server.rows)).toEqual(['hi there']);
    expect(w.sync.messages[0]?.state).toBeUndefined();
    expect(w.sync.notice).toBeNull();
  });
});

describe('receiving', () => {
  it('after Realtime ends the channel, the rejoin catches up from the database and nothing shows twice', async () => {
    const w = await startedChat();
    server.store({ body: 'live reply' });
    expect(bodies(w.sync.messages)).toEqual(['hello', 'live reply']);
    server.dropChannels();
    server.store({ body: 'missed while away' });
    expect(w.timers.map((x) => x.ms)).toEqual([1000]);
    await w.runTimers();
    expect(server.channels.filter((c) => c.live)).toHaveLength(1);
    // The stored reply arrives again live (a duplicate delivery): still one copy.
    server.broadcast(server.rows[1]!);
    expect(bodies(w.sync.messages)).toEqual(['hello', 'live reply', 'missed while away']);
    expect(new Set(w.sync.messages.map((m) => m.id)).size).toBe(3);
  });

  it('keeps the newest status: a catch-up that read the conversation before it was resolved does not reopen it', async () => {
    const w = await startedChat();
    let release!: () => void;
    server.holdHistory = new Promise<void>((r) => (release = r));
    const catchUp = w.sync.catchUp();
    await settle();
    // Resolved while the catch-up's answer (status open, read before) is on its way.
    server.setStatus('resolved');
    expect(w.sync.status).toBe('resolved');
    server.holdHistory = null;
    release();
    await catchUp;
    expect(w.sync.status).toBe('resolved');
    // A later change still applies, by broadcast or by catch-up.
    server.setStatus('open');
    expect(w.sync.status).toBe('open');
    server.conversation = { status: 'resolved', updatedAt: '2999-01-01T00:00:00.000000Z' };
    await w.sync.catchUp();
    expect(w.sync.status).toBe('resolved');
  });

  it('shows messages in the database order, time then id, whatever order they arrive in', async () => {
    const w = await startedChat();
    const conversationId = server.conversationId!;
    const soon = (us: number) => `${new Date(Date.now() + 60_000).toISOString().slice(0, 19)}.00000${us}Z`;
    const row = (id: string, createdAt: string, body: string) => ({ id, conversationId, senderKind: 'agent' as const, authorName: 'Sam', createdAt, body });
    const later = row('00000000-0000-4000-8000-00000000000a', soon(2), 'third');
    const tieHigh = row('ffffffff-0000-4000-8000-000000000000', soon(1), 'second');
    const tieLow = row('11111111-0000-4000-8000-000000000000', soon(1), 'first of the tie');
    for (const r of [later, tieHigh, tieLow]) server.broadcast(r);
    expect(bodies(w.sync.messages)).toEqual(['hello', 'first of the tie', 'second', 'third']);
  });

  it('catch-up reads the history page by page, and later starts again a little before the newest message it read', async () => {
    server.pageSize = 2;
    server.conversationId = crypto.randomUUID();
    const base = Date.UTC(2026, 11, 2, 9, 0, 0);
    const stamp = (s: number) => `${new Date(base + s * 1000).toISOString().slice(0, 23)}000Z`;
    const [a] = [0, 60, 61, 62, 63].map((s, i) => server.store({ body: `m${i}`, createdAt: stamp(s) }));
    localStorage.setItem(storageKey(KEY, 'conversation'), server.conversationId);
    localStorage.setItem(storageKey(KEY, 'visitor'), server.visitorId);
    server.calls = [];
    const w = loadWidget();
    await settle();
    expect(bodies(w.sync.messages)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const reads = server.calls.filter((c) => c.startsWith('GET'));
    // The first read pages from the start; the one after joining the channel starts after m0, the newest
    // message at least ten seconds older than the newest read (one that committed late may sort before it).
    expect(reads.slice(0, 3)).toEqual(['GET widget-messages', `GET widget-messages after=${server.ordered()[1]!.id}`, `GET widget-messages after=${server.ordered()[3]!.id}`]);
    expect(reads[3]).toBe(`GET widget-messages after=${a!.id}`);
  });

  it('a forged broadcast for another conversation on the channel is not shown', async () => {
    const w = await startedChat();
    const forged = { id: crypto.randomUUID(), conversationId: server.conversationId!, senderKind: 'agent' as const, authorName: 'Mallory', body: 'forged', createdAt: '2026-12-02T12:00:00.000000Z' };
    server.broadcast(forged, crypto.randomUUID());
    expect(bodies(w.sync.messages)).toEqual(['hello']);
  });
});

describe('unread and read marks', () => {
  it('a reply while the panel is closed counts unread once, and not again after a reload once seen', async () => {
    const w = await startedChat('question');
    server.store({ body: 'answer' });
    expect(w.host.unread).toBe(1);
    expect(w.host.emitted.map((m) => m.id)).toContain(server.rows[1]!.id);
    w.host.open = true;
    w.sync.opened();
    expect(w.host.unread).toBe(0);
    // The page reloads: the old one's channel is gone with it.
    for (const c of server.channels) c.removed = true;
    const reloaded = loadWidget();
    await settle();
    expect(bodies(reloaded.sync.messages)).toEqual(['question', 'answer']);
    expect(reloaded.host.unread).toBe(0);
    server.store({ body: 'follow-up' });
    expect(reloaded.host.unread).toBe(1);
  });

  it('a conversation the server no longer knows is forgotten, so the next message starts a new one', async () => {
    const w = await startedChat();
    const old = server.conversationId;
    server.conversationId = crypto.randomUUID();
    server.rows = [];
    await w.sync.catchUp();
    expect(w.sync.conversationId).toBeNull();
    expect(localStorage.getItem(storageKey(KEY, 'conversation'))).toBeNull();
    await w.sync.send('new start');
    await settle();
    expect(w.sync.conversationId).toBe(server.conversationId);
    expect(w.sync.conversationId).not.toBe(old);
  });
});

describe('live signals loaded on demand', () => {
  it('a live chunk that arrives after the conversation joined still joins its topics and knows the agent read mark', async () => {
    const first = await startedChat('question');
    server.agentRead = first.sync.messages[0]!.id;
    server.channels = [];
    // The page reloads; the live chunk is still on its way while the conversation's channel joins.
    let arrive: (l: LiveSignals) => void = () => undefined;
    const reloaded = loadWidget({ live: () => new Promise((r) => (arrive = r)) });
    await settle();
    expect(server.channels.map((c) => c.topic)).toEqual([`conversation:${server.conversationId}`]);
    expect(reloaded.sync.live).toBeNull();

    arrive(new LiveSignals(new WidgetClient(OPTIONS), KEY, () => undefined));
    await settle();
    expect(server.channels.map((c) => c.topic).sort()).toEqual([`availability:${KEY}`, `conversation:${server.conversationId}`, `conversation:${server.conversationId}:typing`]);
    expect(reloaded.sync.live?.agentRead).toBe(server.agentRead);
    expect(reloaded.sync.live?.seenUnder(reloaded.sync.messages)).toBe(server.agentRead);
  });
});
