// The dashboard's live state with the toolkit's events: a note.created joins the open thread marked private and
// moves nothing of the conversation or the inbox; label events make the page re-read; a label filter is a view
// the server decides, like a search.
import { describe, expect, it } from 'vitest';
import { needsReread } from '../../app/lib/live-events.ts';
import { applyToInbox, applyToThread, applyToUnread, type CompanyEvent, type InboxRow, type InboxView, type Thread } from '../../app/lib/live-state.ts';

const T0 = '2026-12-02T10:00:00.000Z';
const T1 = '2026-12-02T10:00:05.000Z';
const thread: Thread = {
  conversation: { id: 'c1', platform: 'widget', status: 'open', assignee_id: null, auto_bot: false, visitor_last_read_message_id: null, unread_count: 2, last_message_at: T0, updated_at: T0, created_at: T0 },
  messages: [{ id: 'm1', conversationId: 'c1', senderKind: 'visitor', authorName: 'V', body: 'Hi', createdAt: '2026-12-02T10:00:00.000000Z' }],
  gap: false,
};
const note: CompanyEvent = {
  event: 'note.created',
  payload: { id: 'n1', conversation_id: 'c1', sender_kind: 'agent', author_name: 'Sam', body: 'VIP', created_at: T1, is_private: true },
};
const row: InboxRow = {
  id: 'c1',
  platform: 'widget',
  status: 'open',
  assigneeId: null,
  unread: 2,
  lastMessageAt: T0,
  preview: 'Hi',
  visitorName: 'V',
  visitorEmail: null,
  gravatar: null,
  updatedAt: T0,
  visitorLastMessageId: 'm1',
  labelIds: ['l1'],
};
const view: InboxView = { status: 'open', scope: 'all', q: '', after: null, userId: 'u1', complete: true };

describe('notes and labels in the live state', () => {
  it('adds a note to the open thread, marked private, leaving the conversation as it was; a replay adds nothing', () => {
    const next = applyToThread(thread, note);
    expect(next.messages.map((m) => [m.id, m.isPrivate ?? false])).toEqual([
      ['m1', false],
      ['n1', true],
    ]);
    expect(next.conversation).toEqual(thread.conversation);
    expect(applyToThread(next, note)).toBe(next);
  });

  it('leaves the inbox row and the unread counts alone for a note', () => {
    expect(applyToInbox([row], view, note)).toEqual([row]);
    const unread = new Map([['c1', { unread: 2, lastMessageAt: T0 }]]);
    expect(applyToUnread(unread, note)).toBe(unread);
    expect(needsReread(note)).toBe(false);
  });

  it('re-reads on label events, and keeps a row’s labels through a conversation event', () => {
    expect(needsReread({ event: 'conversation.labeled', payload: { conversation_id: 'c1', label_id: 'l1', added: true } })).toBe(true);
    expect(needsReread({ event: 'label.changed', payload: { id: 'l1', name: 'x', color: '#000000', deleted: false } })).toBe(true);
    const updated = applyToInbox([row], view, {
      event: 'conversation.updated',
      payload: { id: 'c1', platform: 'widget', status: 'open', assignee_id: 'u1', auto_bot: false, unread_count: 0, last_message_at: T0, updated_at: T1 },
    });
    expect(updated[0]).toMatchObject({ assigneeId: 'u1', labelIds: ['l1'] });
  });

  it('gains no rows from events while a label filter is on (the server decides what matches)', () => {
    const created: CompanyEvent = {
      event: 'conversation.created',
      payload: { id: 'c2', platform: 'widget', status: 'open', assignee_id: null, auto_bot: false, unread_count: 1, last_message_at: T1, updated_at: T1 },
    };
    expect(applyToInbox([row], { ...view, label: 'l1' }, created).map((r) => r.id)).toEqual(['c1']);
    expect(applyToInbox([row], view, created).map((r) => r.id)).toEqual(['c2', 'c1']);
  });
});
