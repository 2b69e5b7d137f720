// The company's live state in the browser, kept by merging broadcast events by id into what the loaders read
// (as the widget's panel does): inbox rows, the open conversation's thread, and every conversation's unread count.
// Pure functions of (state, event) so they are tested without a browser; replaying an event is harmless.
import type { Message } from '../../functions/_shared/contract.ts';
import { type ConversationStatus, lastMessageAtAfter, messagePreview, statusAfter, unreadAfter } from '../../functions/_shared/conversation-rules.ts';
import { type CompanyEvent, conversationEvent, messageEvent, messageSignal, noteEvent, threadRereadEvent } from './live-events.ts';

export type { CompanyEvent };

export interface InboxRow {
  id: string;
  platform: string;
  status: ConversationStatus;
  assigneeId: string | null;
  unread: number;
  lastMessageAt: string;
  preview: string;
  visitorName: string;
  visitorEmail: string | null;
  gravatar: string | null;
  updatedAt: string;
  /** The visitor's last message (the conversation's visitor_last_read_message_id): a tie-break for counting. */
  visitorLastMessageId: string | null;
  /** Last set by an event, not read by a loader: another change of the same transaction (same updated_at) applies. */
  fromEvent?: boolean;
  /** The conversation's labels (read by the loaders; a label change makes them re-read). */
  labelIds?: string[];
  /** A search result's matching text (matches between U+E000 and U+E001); kept while events update the row. */
  snippet?: string | null;
}

export interface InboxView {
  status: ConversationStatus | 'all';
  scope: 'all' | 'mine' | 'unassigned';
  /** Platform filter; absent or 'all': every platform. */
  platform?: string;
  q: string;
  after: string | null;
  /** A label filter: like a search, the server decides which rows match. */
  label?: string | null;
  userId: string;
  /** Every row of this view is loaded (no older page): a new row that sorts last still belongs. */
  complete: boolean;
}

export interface ThreadConversation {
  id: string;
  platform: string;
  status: ConversationStatus;
  assignee_id: string | null;
  auto_bot: boolean;
  visitor_last_read_message_id: string | null;
  /** When the visitor's read mark last moved (the time on "Seen"). */
  visitor_last_read_at?: string | null;
  unread_count: number;
  last_message_at: string;
  updated_at: string;
  created_at: string;
  /** As InboxRow.fromEvent. */
  fromEvent?: boolean;
}

export interface Thread {
  conversation: ThreadConversation;
  messages: Message[];
  /** Set when an event shows that what is held of this conversation is stale (a message never reached us, a
   * reply's Messenger/Instagram delivery or an email to the visitor moved): re-read it. */
  gap: boolean;
}

/** conversation id → unread count (only those above zero) and the last message time it counts up to. */
export type UnreadMap = ReadonlyMap<string, { unread: number; lastMessageAt: string }>;

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);
/**
 * Whether a conversation state (updated_at) is news to what is held. One transaction's changes share updated_at
 * (now()), and a loader only ever reads whole transactions: a tie is news only to a state an event set.
 */
const newer = (eventAt: string, heldAt: string, heldFromEvent: boolean | undefined) =>
  later(eventAt, heldAt) || (heldFromEvent === true && Date.parse(eventAt) === Date.parse(heldAt));

/** Newest activity first, then id descending: the order of listConversations (keyset paging). */
export function byActivity(a: InboxRow, b: InboxRow): number {
  const d = Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt);
  return d !== 0 ? d : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Whether a row belongs in this view of the inbox (status and assignee filters). */
export function rowMatches(row: Pick<InboxRow, 'status' | 'assigneeId'> & { platform?: string }, view: InboxView): boolean {
  if (view.platform && view.platform !== 'all' && row.platform !== view.platform) return false;
  if (view.status !== 'all' && row.status !== view.status) return false;
  if (view.scope === 'mine' && row.assigneeId !== view.userId) return false;
  if (view.scope === 'unassigned' && row.assigneeId !== null) return false;
  return true;
}

/**
 * The inbox after an event. Rows not on screen are not fetched for: a message to one costs nothing here (the
 * unread map counts it). A search or an older page never gains rows (the server decides what matches).
 */
export function applyToInbox(rows: InboxRow[], view: InboxView, e: CompanyEvent): InboxRow[] {
  const live = !view.q && !view.after && !view.label;
  const event = messageEvent(e);
  if (event) {
    const { message: m, at } = event;
    const i = rows.findIndex((r) => r.id === m.conversationId);
    if (i === -1) return rows;
    const row = rows[i]!;
    // Already counted (the loader read it, or this event came twice). A conversation created with its first message
    // in one transaction has the message's time, so an equal time is decided by the visitor's last message id.
    if (later(row.lastMessageAt, at)) return rows;
    if (!later(at, row.lastMessageAt) && (m.senderKind !== 'visitor' || row.visitorLastMessageId === m.id) && row.preview) return rows;
    const next: InboxRow = {
      ...row,
      preview: messagePreview(m.body),
      lastMessageAt: lastMessageAtAfter(row.lastMessageAt, at),
      unread: unreadAfter(row.unread, m.senderKind),
      status: statusAfter(row.status, m.senderKind),
      visitorLastMessageId: m.senderKind === 'visitor' ? m.id : row.visitorLastMessageId,
    };
    if (!live) return rows.map((r, j) => (j === i ? next : r));
    const rest = rows.filter((_, j) => j !== i);
    // e.g. a visitor reopening a resolved conversation leaves the "Resolved" view.
    return rowMatches(next, view) ? [next, ...rest].sort(byActivity) : rest;
  }
  const c = conversationEvent(e);
  if (!c) return rows;
  const i = rows.findIndex((r) => r.id === c.id);
  const old = i === -1 ? undefined : rows[i];
  if (old && !newer(c.updated_at, old.updatedAt, old.fromEvent)) return rows; // a state no newer than the one shown
  const next: InboxRow = {
    id: c.id,
    platform: c.platform,
    status: c.status,
    assigneeId: c.assignee_id,
    unread: c.unread_count,
    lastMessageAt: c.last_message_at,
    preview: c.last_message_preview ?? old?.preview ?? '',
    visitorName: c.visitor_name || c.visitor_email || old?.visitorName || 'Visitor',
    visitorEmail: c.visitor_email ?? old?.visitorEmail ?? null,
    gravatar: old?.gravatar ?? null,
    updatedAt: c.updated_at,
    visitorLastMessageId: c.visitor_last_read_message_id,
    fromEvent: true,
    ...(old?.labelIds ? { labelIds: old.labelIds } : {}),
    snippet: old?.snippet ?? null,
  };
  const rest = old ? rows.filter((_, j) => j !== i) : rows;
  if (!live) return old ? rows.map((r, j) => (j === i ? next : r)) : rows;
  if (!rowMatches(next, view)) return old ? rest : rows;
  // A row that would sort below the last one loaded belongs to a page not on screen yet.
  const last = rows[rows.length - 1];
  if (!old && last && !view.complete && byActivity(next, last) > 0) return rows;
  return [next, ...rest].sort(byActivity);
}

/** The open conversation after an event: its messages merged by id, its workflow fields patched. */
export function applyToThread(thread: Thread, e: CompanyEvent): Thread {
  const conv = thread.conversation;
  // Delivery states and emails are read with the thread, not patched: one moved, so read them again.
  const reread = threadRereadEvent(e);
  if (reread) return reread.conversationId === conv.id && !thread.gap ? { ...thread, gap: true } : thread;
  // A private note joins the thread and changes nothing of the conversation (the database leaves it alone too).
  const note = noteEvent(e);
  if (note) {
    if (note.conversationId !== conv.id || thread.messages.some((x) => x.id === note.id)) return thread;
    return { ...thread, messages: [...thread.messages, note].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1)) };
  }
  const event = messageEvent(e);
  if (event) {
    const { message: m, at } = event;
    if (m.conversationId !== conv.id || thread.messages.some((x) => x.id === m.id)) return thread;
    // Contract times (microsecond UTC) compare as text in time order; the id breaks a tie as the loader orders them.
    const messages = [...thread.messages, m].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
    return {
      ...thread,
      messages,
      conversation: {
        ...conv,
        status: statusAfter(conv.status, m.senderKind),
        unread_count: later(at, conv.last_message_at) ? unreadAfter(conv.unread_count, m.senderKind) : conv.unread_count,
        last_message_at: lastMessageAtAfter(conv.last_message_at, at),
        visitor_last_read_message_id: m.senderKind === 'visitor' ? m.id : conv.visitor_last_read_message_id,
        visitor_last_read_at: m.senderKind === 'visitor' ? m.createdAt : conv.visitor_last_read_at,
      },
    };
  }
  const c = conversationEvent(e);
  if (!c || c.id !== conv.id || !newer(c.updated_at, conv.updated_at, conv.fromEvent)) return thread;
  // The conversation's last message is newer than any we hold: one message.created never reached us.
  const newest = thread.messages[thread.messages.length - 1];
  const gap = thread.gap || (later(c.last_message_at, conv.last_message_at) && (!newest || later(c.last_message_at, newest.createdAt)));
  return {
    ...thread,
    gap,
    conversation: {
      ...conv,
      platform: c.platform,
      status: c.status,
      assignee_id: c.assignee_id,
      auto_bot: c.auto_bot,
      unread_count: c.unread_count,
      visitor_last_read_message_id: c.visitor_last_read_message_id ?? conv.visitor_last_read_message_id,
      visitor_last_read_at: c.visitor_last_read_at ?? conv.visitor_last_read_at ?? null,
      last_message_at: lastMessageAtAfter(conv.last_message_at, c.last_message_at),
      updated_at: c.updated_at,
      fromEvent: true,
    },
  };
}

/** Every conversation's unread count (the tab title and the Inbox badge), loaded or not. */
export function applyToUnread(map: UnreadMap, e: CompanyEvent): UnreadMap {
  const m = messageSignal(e);
  if (m) {
    const old = map.get(m.conversationId);
    if (old && !later(m.at, old.lastMessageAt)) return map;
    const unread = unreadAfter(old?.unread ?? 0, m.senderKind);
    if (unread === (old?.unread ?? 0)) return map;
    const next = new Map(map);
    if (unread > 0) next.set(m.conversationId, { unread, lastMessageAt: m.at });
    else next.delete(m.conversationId);
    return next;
  }
  const c = conversationEvent(e);
  if (!c) return map;
  const old = map.get(c.id);
  if (old && later(old.lastMessageAt, c.last_message_at)) return map; // a message newer than this state was counted
  if ((old?.unread ?? 0) === c.unread_count) return map;
  const next = new Map(map);
  if (c.unread_count > 0) next.set(c.id, { unread: c.unread_count, lastMessageAt: c.last_message_at });
  else next.delete(c.id);
  return next;
}

export function totalUnread(map: UnreadMap): number {
  let n = 0;
  for (const v of map.values()) n += v.unread;
  return n;
}
