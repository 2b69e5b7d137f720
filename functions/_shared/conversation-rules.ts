// What a new message does to its conversation, as private.message_after_insert does it (the SQL is the truth):
// the dashboard applies message.created in place with these, so the rule is written once outside the database.

export type SenderKind = 'visitor' | 'agent' | 'bot' | 'system';
export type ConversationStatus = 'open' | 'pending' | 'resolved';

/** The inbox preview: the trimmed body with whitespace runs collapsed to one space, first 140 characters. */
export function messagePreview(body: string): string {
  // Postgres `\s` is [ \t\n\r\f\v]; left(…, 140) counts characters (code points), not UTF-16 units.
  const collapsed = body.replace(/[ \t\n\r\f\v]+/g, ' ').replace(/^ +| +$/g, '');
  return [...collapsed].slice(0, 140).join('');
}

/** The agents' unread count after a message: a visitor's adds one, an agent's reply clears it, others leave it. */
export function unreadAfter(unread: number, sender: SenderKind): number {
  if (sender === 'visitor') return unread + 1;
  if (sender === 'agent') return 0;
  return unread;
}

/** A visitor writing into a resolved conversation reopens it. */
export function statusAfter(status: ConversationStatus, sender: SenderKind): ConversationStatus {
  return sender === 'visitor' && status === 'resolved' ? 'open' : status;
}

/** The conversation's last activity: never earlier than it was. */
export function lastMessageAtAfter(lastMessageAt: string, createdAt: string): string {
  return Date.parse(createdAt) > Date.parse(lastMessageAt) ? createdAt : lastMessageAt;
}
