// The dashboard's live state (app/lib/live-state.ts, live-store.ts): company events merged by id into what the
// loaders read, so an event is applied in place once, a replay changes nothing, and a re-read does not double count.
import { describe, expect, it } from 'vitest';
import { applyToInbox, applyToThread, type CompanyEvent, type InboxRow, type InboxView, type Thread } from '../../app/lib/live-state.ts';
import { LiveStore } from '../../app/lib/live-store.ts';
import { threadFiles } from '../../app/lib/thread-files.ts';
import { messagePreview } from '../../functions/_shared/conversation-rules.ts';

const T0 = '2026-12-02T10:00:00.000Z';
const T1 = '2026-12-02T10:00:05.000Z';
const T2 = '2026-12-02T10:00:09.000Z';
const view: InboxView = { status: 'open', scope: 'all', q: '', after: null, userId: 'u1', complete: true };

function row(id: string, at: string, extra: Partial<InboxRow> = {}): InboxRow {
  return {
    id,
    platform: 'widget',
    status: 'open',
    assigneeId: null,
    unread: 0,
    lastMessageAt: at,
    preview: 'hi',
    visitorName: 'V',
    visitorEmail: null,
    gravatar: null,
    updatedAt: at,
    visitorLastMessageId: null,
    ...extra,
  };
}
const message = (id: string, conversation: string, at: string, body = 'Hello', sender = 'visitor'): CompanyEvent => ({
  event: 'message.created',
  payload: { id, conversation_id: conversation, sender_kind: sender, author_name: null, body, created_at: at },
});
const conversation = (event: string, id: string, at: string, extra: Record<string, unknown> = {}): CompanyEvent => ({
  event,
  payload: { id, platform: 'widget', status: 'open', assignee_id: null, auto_bot: false, unread_count: 0, last_message_at: at, updated_at: at, ...extra },
});

describe('inbox rows follow the company events', () => {
  it('message.created sets preview, time and unread and moves the row to the top; the same event again changes nothing', () => {
    const rows = [row('a', T1), row('b', T0)];
    const once = applyToInbox(rows, view, message('m1', 'b', T2, '  Where   is\nmy order?  '));
    expect(once.map((r) => r.id)).toEqual(['b', 'a']);
    expect(once[0]).toMatchObject({ preview: 'Where is my order?', unread: 1, lastMessageAt: T2 });
    expect(applyToInbox(once, view, message('m1', 'b', T2, '  Where   is\nmy order?  '))).toBe(once);
  });

  it('conversation.created inserts a row, conversation.updated patches it, an older state is ignored', () => {
    const created = applyToInbox([row('a', T0)], view, conversation('conversation.created', 'n', T1, { visitor_name: 'Nina', last_message_preview: 'Hey' }));
    expect(created.map((r) => r.id)).toEqual(['n', 'a']);
    const assigned = applyToInbox(created, view, conversation('conversation.updated', 'n', T2, { assignee_id: 'u2', last_message_at: T1 }));
    expect(assigned[0]).toMatchObject({ id: 'n', assigneeId: 'u2', visitorName: 'Nina', preview: 'Hey' });
    expect(applyToInbox(assigned, view, conversation('conversation.updated', 'n', T1, { status: 'resolved' }))).toBe(assigned);
  });

  it('one transaction’s events replayed over the loader’s row (same updated_at) change nothing', () => {
    // A visitor's first message: conversation.created (unread 0), message.created and conversation.updated share now().
    const loaded = [row('c', T1, { unread: 1, visitorLastMessageId: 'm1', preview: 'First' })];
    let rows = loaded;
    for (const e of [conversation('conversation.created', 'c', T1), message('m1', 'c', T1, 'First'), conversation('conversation.updated', 'c', T1, { unread_count: 1 })]) {
      rows = applyToInbox(rows, view, e);
    }
    expect(rows[0]).toMatchObject({ unread: 1, preview: 'First' });
  });

  it('the same transaction applied live, from the first event on, ends as the loader would read it', () => {
    let rows: InboxRow[] = [];
    for (const e of [
      conversation('conversation.created', 'c', T1, { last_message_preview: null }),
      message('m1', 'c', T1, 'First'),
      conversation('conversation.updated', 'c', T1, { unread_count: 1, last_message_preview: 'First', visitor_last_read_message_id: 'm1' }),
    ]) {
      rows = applyToInbox(rows, view, e);
    }
    expect(rows[0]).toMatchObject({ id: 'c', unread: 1, preview: 'First' });
  });
});

describe('the open conversation follows the company events', () => {
  const thread: Thread = {
    conversation: { id: 'c', platform: 'widget', status: 'resolved', assignee_id: null, auto_bot: false, visitor_last_read_message_id: null, unread_count: 0, last_message_at: T0, updated_at: T0, created_at: T0 },
    messages: [{ id: 'm0', conversationId: 'c', senderKind: 'visitor', authorName: null, body: 'Old', createdAt: T0 }],
    gap: false,
  };

  it('merges a message by id (a visitor reopens a resolved conversation) and ignores another conversation’s', () => {
    const next = applyToThread(thread, message('m1', 'c', T1, 'Back again'));
    expect(next.messages.map((m) => m.id)).toEqual(['m0', 'm1']);
    expect(next.conversation).toMatchObject({ status: 'open', unread_count: 1, last_message_at: T1 });
    expect(applyToThread(next, message('m1', 'c', T1, 'Back again'))).toBe(next);
    expect(applyToThread(thread, message('x1', 'other', T1))).toBe(thread);
  });

  it('a message.created with files shows them under its message at once; a re-read holding them lists each once', () => {
    const files = [
      { id: 'a1', name: 'shot.png', content_type: 'image/png', size_bytes: 2048, object_path: 'co/c/a1/shot.png', thumbnail_path: 'co/c/a1/thumb.jpg' },
      { id: 'a2', name: 'report.pdf', content_type: 'application/pdf', size_bytes: 99, object_path: 'co/c/a2/report.pdf', thumbnail_path: null },
    ];
    const e = message('m1', 'c', T1, '');
    const next = applyToThread(thread, { ...e, payload: { ...e.payload, attachments: files } });
    const live = threadFiles([], next.messages);
    expect(live.byMessage.get('m1')).toEqual([
      { id: 'a1', message_id: 'm1', name: 'shot.png', content_type: 'image/png', size_bytes: 2048, thumbnail_path: 'co/c/a1/thumb.jpg' },
      { id: 'a2', message_id: 'm1', name: 'report.pdf', content_type: 'application/pdf', size_bytes: 99, thumbnail_path: null },
    ]);
    expect(live.byMessage.get('m0')).toBeUndefined();
    expect(threadFiles(live.all, next.messages).all.map((f) => f.id)).toEqual(['a1', 'a2']);
  });

  it("a Messenger reply's delivery or an email to the visitor moving flags its own conversation for a re-read, once", () => {
    const delivery = (conversationId: string): CompanyEvent => ({ event: 'message.delivery', payload: { message_id: 'r1', conversation_id: conversationId, status: 'sent' } });
    const email = (conversationId: string): CompanyEvent => ({ event: 'visitor_email.changed', payload: { email_id: 'e1', conversation_id: conversationId, status: 'sent' } });
    for (const signal of [delivery, email]) {
      const next = applyToThread(thread, signal('c'));
      expect(next.gap).toBe(true);
      expect(applyToThread(next, signal('c'))).toBe(next);
      expect(applyToThread(thread, signal('other'))).toBe(thread);
    }
    expect(applyToThread(thread, { event: 'message.delivery', payload: { status: 'sent' } })).toBe(thread);
  });

  it('a conversation.updated whose last message never arrived flags a gap (the page then re-reads)', () => {
    expect(applyToThread(thread, conversation('conversation.updated', 'c', T2, { last_message_at: T2 })).gap).toBe(true);
  });
});

describe('the tab’s live store', () => {
  it('a re-read replays only what arrived since it began: a counted message is not counted twice', () => {
    const store = new LiveStore();
    const base1 = [{ id: 'c', unread: 1, lastMessageAt: T1 }];
    store.unreadFor(base1, () => new Map(base1.map((c) => [c.id, c])));
    store.apply(message('m2', 'c', T2));
    expect(store.unreadFor(base1, () => new Map()).get('c')?.unread).toBe(2);
    // The agent read it elsewhere; this tab's re-read (begun after m2 arrived) says 0.
    store.reading();
    const base2: { id: string; unread: number; lastMessageAt: string }[] = [];
    expect(store.unreadFor(base2, () => new Map()).has('c')).toBe(false);
  });
});

describe('messagePreview mirrors private.message_after_insert', () => {
  it('collapses whitespace runs, trims, and keeps the first 140 characters (code points)', () => {
    expect(messagePreview('\t a \n\n b  ')).toBe('a b');
    expect([...messagePreview('😀'.repeat(200))]).toHaveLength(140);
  });
});
