// The company's live state in the browser, kept by merging broadcast events by id into what the loaders read
// (as the widget's panel does): inbox rows, the open conversation's thread, and every conversation's unread count.
// Pure functions of (state, event) so they are tested without a browser; replaying an event is harmless.
import {
  type ConversationStatus,
  lastMessageAtAfter,
  messagePreview,
  type SenderKind,
  statusAfter,
  unreadAfter,
} from '../../functions/_shared/conversation-rules.ts';

export interface CompanyEvent {
  event: string;
  payload: Record<string, unknown>;
}

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
}

export interface InboxView {
  status: ConversationStatus | 'all';
  scope: 'all' | 'mine' | 'unassigned';
  q: string;
  after: string | null;
  userId: string;
  /** Every row of this view is loaded (no older page): a new row that sorts last still belongs. */
  complete: boolean;
}

export interface ThreadMessage {
  id: string;
  sender_kind: string;
  author_name: string | null;
  body: string;
  created_at: string;
}

export interface ThreadConversation {
  id: string;
  platform: string;
  status: ConversationStatus;
  assignee_id: string | null;
  auto_bot: boolean;
  visitor_last_read_message_id: string | null;
  /** When the visitor's read mark last moved (the time on "Seen"); absent in rows read before issue 18. */
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
  messages: ThreadMessage[];
  /** Set when an event shows that a message of this conversation never reached us: re-read it. */
  gap: boolean;
}

/** conversation id → unread count (only those above zero) and the last message time it counts up to. */
export type UnreadMap = ReadonlyMap<string, { unread: number; lastMessageAt: string }>;

export interface MessageEvent {
  id: string;
  conversation_id: string;
  sender_kind: SenderKind;
  author_name: string | null;
  body: string;
  created_at: string;
}

export interface ConversationEvent {
  id: string;
  platform: string;
  status: ConversationStatus;
  assignee_id: string | null;
  auto_bot: boolean;
  unread_count: number;
  last_message_at: string;
  last_message_preview: string | null;
  visitor_last_read_message_id: string | null;
  visitor_last_read_at: string | null;
  visitor_name: string | null;
  visitor_email: string | null;
  created_at: string;
  updated_at: string;
}

const str = (v: unknown): v is string => typeof v === 'string';

/** A message.created payload, or null when it is not one this code understands (then it is ignored). */
export function messageEvent(e: CompanyEvent): MessageEvent | null {
  const p = e.payload;
  if (e.event !== 'message.created' || !str(p.id) || !str(p.conversation_id) || !str(p.created_at) || !str(p.sender_kind)) return null;
  if (!str(p.body)) return null; // a thin signal (older database): only a re-read knows the text
  return {
    id: p.id,
    conversation_id: p.conversation_id,
    sender_kind: p.sender_kind as SenderKind,
    author_name: str(p.author_name) ? p.author_name : null,
    body: p.body,
    created_at: p.created_at,
  };
}

export function conversationEvent(e: CompanyEvent): ConversationEvent | null {
  const p = e.payload;
  if (e.event !== 'conversation.created' && e.event !== 'conversation.updated') return null;
  if (!str(p.id) || !str(p.status) || !str(p.last_message_at) || !str(p.updated_at) || typeof p.unread_count !== 'number') return null;
  return {
    id: p.id,
    platform: str(p.platform) ? p.platform : 'widget',
    status: p.status as ConversationStatus,
    assignee_id: str(p.assignee_id) ? p.assignee_id : null,
    auto_bot: p.auto_bot === true,
    unread_count: p.unread_count,
    last_message_at: p.last_message_at,
    last_message_preview: str(p.last_message_preview) ? p.last_message_preview : null,
    visitor_last_read_message_id: str(p.visitor_last_read_message_id) ? p.visitor_last_read_message_id : null,
    visitor_last_read_at: str(p.visitor_last_read_at) ? p.visitor_last_read_at : null,
    visitor_name: str(p.visitor_name) ? p.visitor_name : null,
    visitor_email: str(p.visitor_email) ? p.visitor_email : null,
    created_at: str(p.created_at) ? p.created_at : p.last_message_at,
    updated_at: p.updated_at,
  };
}

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
export function rowMatches(row: Pick<InboxRow, 'status' | 'assigneeId'>, view: InboxView): boolean {
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
  const live = !view.q && !view.after;
  const m = messageEvent(e);
  if (m) {
    const i = rows.findIndex((r) => r.id === m.conversation_id);
    if (i === -1) return rows;
    const row = rows[i]!;
    // Already counted (the loader read it, or this event came twice). A conversation created with its first message
    // in one transaction has the message's time, so an equal time is decided by the visitor's last message id.
    if (later(row.lastMessageAt, m.created_at)) return rows;
    if (!later(m.created_at, row.lastMessageAt) && (m.sender_kind !== 'visitor' || row.visitorLastMessageId === m.id) && row.preview) return rows;
    const next: InboxRow = {
      ...row,
      preview: messagePreview(m.body),
      lastMessageAt: lastMessageAtAfter(row.lastMessageAt, m.created_at),
      unread: unreadAfter(row.unread, m.sender_kind),
      status: statusAfter(row.status, m.sender_kind),
      visitorLastMessageId: m.sender_kind === 'visitor' ? m.id : row.visitorLastMessageId,
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
  const m = messageEvent(e);
  if (m) {
    if (m.conversation_id !== conv.id || thread.messages.some((x) => x.id === m.id)) return thread;
    const message: ThreadMessage = { id: m.id, sender_kind: m.sender_kind, author_name: m.author_name, body: m.body, created_at: m.created_at };
    const messages = [...thread.messages, message].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1));
    return {
      ...thread,
      messages,
      conversation: {
        ...conv,
        status: statusAfter(conv.status, m.sender_kind),
        unread_count: later(m.created_at, conv.last_message_at) ? unreadAfter(conv.unread_count, m.sender_kind) : conv.unread_count,
        last_message_at: lastMessageAtAfter(conv.last_message_at, m.created_at),
        visitor_last_read_message_id: m.sender_kind === 'visitor' ? m.id : conv.visitor_last_read_message_id,
        visitor_last_read_at: m.sender_kind === 'visitor' ? m.created_at : conv.visitor_last_read_at,
      },
    };
  }
  const c = conversationEvent(e);
  if (!c || c.id !== conv.id || !newer(c.updated_at, conv.updated_at, conv.fromEvent)) return thread;
  // The conversation's last message is newer than any we hold: one message.created never reached us.
  const newest = thread.messages[thread.messages.length - 1];
  const gap = thread.gap || (later(c.last_message_at, conv.last_message_at) && (!newest || later(c.last_message_at, newest.created_at)));
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
  const m = messageEvent(e) ?? thinMessage(e);
  if (m) {
    const old = map.get(m.conversation_id);
    if (old && !later(m.created_at, old.lastMessageAt)) return map;
    const unread = unreadAfter(old?.unread ?? 0, m.sender_kind);
    if (unread === (old?.unread ?? 0)) return map;
    const next = new Map(map);
    if (unread > 0) next.set(m.conversation_id, { unread, lastMessageAt: m.created_at });
    else next.delete(m.conversation_id);
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

function thinMessage(e: CompanyEvent): Pick<MessageEvent, 'conversation_id' | 'sender_kind' | 'created_at'> | null {
  const p = e.payload;
  if (e.event !== 'message.created' || !str(p.conversation_id) || !str(p.sender_kind) || !str(p.created_at)) return null;
  return { conversation_id: p.conversation_id, sender_kind: p.sender_kind as SenderKind, created_at: p.created_at };
}

export function totalUnread(map: UnreadMap): number {
  let n = 0;
  for (const v of map.values()) n += v.unread;
  return n;
}

/** Whether an event says something this state cannot know from its payload: then the data is re-read. */
export function needsReread(e: CompanyEvent): boolean {
  if (e.event === 'company.topic_changed') return true; // the topic moved: the loader reads the new one
  if (e.event === 'message.created') return messageEvent(e) === null;
  if (e.event === 'conversation.created' || e.event === 'conversation.updated') return conversationEvent(e) === null;
  return false;
}
