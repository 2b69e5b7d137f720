// One store per tab for the company's live state: each slice starts from its loader's data (the `base`) and
// follows the company channel's events; a new base (a re-read) replays the events received since that read began,
// so an event that raced the re-read is not lost (the reducers in live-state.ts skip what the data already holds).
import {
  applyToInbox,
  applyToThread,
  applyToUnread,
  byActivity,
  type CompanyEvent,
  type InboxRow,
  type InboxView,
  type Thread,
  type UnreadMap,
} from './live-state.ts';

const REPLAY_MS = 30_000;
const REPLAY_MAX = 500;

interface Slice<T> {
  base: unknown;
  value: T;
}

export interface InboxSlice {
  rows: InboxRow[];
  view: InboxView;
  /** Keyset cursor of the next older page (null: all loaded). */
  cursor: string | null;
}

export class LiveStore {
  private listeners = new Set<() => void>();
  private log: { at: number; e: CompanyEvent }[] = [];
  private inbox: Slice<InboxSlice> | null = null;
  private thread: Slice<Thread> | null = null;
  private unread: Slice<UnreadMap> | null = null;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private emit() {
    for (const l of this.listeners) l();
  }

  /** When the last loader read began: what arrived before it is in its data, what arrived since may not be. */
  private readSince = 0;

  /** A loader read (navigation or revalidation) begins. */
  reading() {
    this.readSince = Date.now();
  }

  private replay<T>(value: T, reduce: (v: T, e: CompanyEvent) => T): T {
    // Counting reducers (unread) cannot tell an event the data already holds: replay only what may be missing.
    const since = Math.max(Date.now() - REPLAY_MS, this.readSince);
    let v = value;
    for (const { at, e } of this.log) if (at > since) v = reduce(v, e);
    return v;
  }

  /** An event from the company channel, applied to every slice. */
  apply(e: CompanyEvent) {
    this.log.push({ at: Date.now(), e });
    if (this.log.length > REPLAY_MAX) this.log.splice(0, this.log.length - REPLAY_MAX);
    if (this.inbox) {
      const s = this.inbox.value;
      const rows = applyToInbox(s.rows, { ...s.view, complete: s.cursor === null }, e);
      if (rows !== s.rows) this.inbox = { ...this.inbox, value: { ...s, rows } };
    }
    if (this.thread) this.thread = { ...this.thread, value: applyToThread(this.thread.value, e) };
    if (this.unread) this.unread = { ...this.unread, value: applyToUnread(this.unread.value, e) };
    this.emit();
  }

  inboxFor(base: unknown, seed: () => InboxSlice): InboxSlice {
    const current = this.inbox;
    if (current && current.base === base) return current.value;
    const fresh = seed();
    // Older pages loaded on scroll stay below the re-read first page.
    const start = (current ? this.olderThan(fresh, current.value) : null) ?? fresh;
    const value = this.replay(start, (s, e) => {
      const rows = applyToInbox(s.rows, { ...s.view, complete: s.cursor === null }, e);
      return rows === s.rows ? s : { ...s, rows };
    });
    this.inbox = { base, value };
    return value;
  }

  private olderThan(fresh: InboxSlice, old: InboxSlice): InboxSlice | null {
    const sameView = ['status', 'scope', 'platform', 'q', 'after'].every((k) => fresh.view[k as keyof InboxView] === old.view[k as keyof InboxView]);
    const last = fresh.rows[fresh.rows.length - 1];
    if (!sameView || !last || fresh.cursor === null || old.rows.length <= fresh.rows.length) return null;
    const ids = new Set(fresh.rows.map((r) => r.id));
    const older = old.rows.filter((r) => !ids.has(r.id) && byActivity(r, last) > 0);
    return { ...fresh, rows: [...fresh.rows, ...older], cursor: old.cursor };
  }

  /** An older page loaded on scroll. */
  appendOlder(rows: InboxRow[], cursor: string | null) {
    if (!this.inbox) return;
    const s = this.inbox.value;
    const ids = new Set(s.rows.map((r) => r.id));
    this.inbox = { ...this.inbox, value: { ...s, rows: [...s.rows, ...rows.filter((r) => !ids.has(r.id))], cursor } };
    this.emit();
  }

  threadFor(base: unknown, seed: () => Thread): Thread {
    const current = this.thread;
    if (current && current.base === base) return current.value;
    const value = this.replay(seed(), applyToThread);
    this.thread = { base, value };
    return value;
  }

  unreadFor(base: unknown, seed: () => UnreadMap): UnreadMap {
    const current = this.unread;
    if (current && current.base === base) return current.value;
    const value = this.replay(seed(), applyToUnread);
    this.unread = { base, value };
    return value;
  }

  /** A read this tab just sent: its count shows zero at once (the broadcast that follows says the same). */
  markedRead(conversationId: string) {
    if (this.unread?.value.has(conversationId)) {
      const next = new Map(this.unread.value);
      next.delete(conversationId);
      this.unread = { ...this.unread, value: next };
    }
    if (this.inbox) {
      const s = this.inbox.value;
      this.inbox = { ...this.inbox, value: { ...s, rows: s.rows.map((r) => (r.id === conversationId && r.unread ? { ...r, unread: 0 } : r)) } };
    }
    if (this.thread?.value.conversation.id === conversationId) {
      const t = this.thread.value;
      this.thread = { ...this.thread, value: { ...t, conversation: { ...t.conversation, unread_count: 0 } } };
    }
    this.emit();
  }
}
