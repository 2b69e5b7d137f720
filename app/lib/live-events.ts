// The company channel's events (supabase/migrations: realtime.send from the database) read defensively: a payload
// this code does not understand is ignored, or says the data must be re-read.
import { type Message, toMessage } from '../../functions/_shared/contract.ts';
import type { ConversationStatus, SenderKind } from '../../functions/_shared/conversation-rules.ts';

export interface CompanyEvent {
  event: string;
  payload: Record<string, unknown>;
}

/** A message.created: the contract's Message, and `at`, its time as the database wrote it (the text the
 * conversation's last_message_at is kept in, as its loaders read it). */
export interface MessageEvent {
  message: Message;
  at: string;
}

/** What any message.created says about its conversation, a thin one (no body) included. */
export interface MessageSignal {
  conversationId: string;
  senderKind: SenderKind;
  at: string;
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

export function messageSignal(e: CompanyEvent): MessageSignal | null {
  const p = e.payload;
  if (e.event !== 'message.created' || !str(p.conversation_id) || !str(p.sender_kind) || !str(p.created_at)) return null;
  return { conversationId: p.conversation_id, senderKind: p.sender_kind as SenderKind, at: p.created_at };
}

/** A message.created payload, or null when it is not one this code understands (then it is ignored). */
export function messageEvent(e: CompanyEvent): MessageEvent | null {
  const p = e.payload;
  if (!messageSignal(e) || !str(p.id)) return null;
  if (!str(p.body)) return null; // a thin signal (older database): only a re-read knows the text
  return { message: toMessage({ ...p, author_name: str(p.author_name) ? p.author_name : null }), at: p.created_at as string };
}

/** A note.created (a private note, company topic only): the note as a Message marked private, or null. */
export function noteEvent(e: CompanyEvent): Message | null {
  const p = e.payload;
  if (e.event !== 'note.created' || !str(p.id) || !str(p.conversation_id) || !str(p.body) || !str(p.created_at)) return null;
  return { ...toMessage({ ...p, author_name: str(p.author_name) ? p.author_name : null }), isPrivate: true };
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

/** Whether an event says something this state cannot know from its payload: then the data is re-read. */
/** Signals of what an open conversation reads with its thread rather than patching: a reply's Messenger/Instagram
 * delivery moved, an email to the visitor was queued, sent or failed, or a Messenger user's files were linked. */
const THREAD_REREAD_EVENTS = ['message.delivery', 'visitor_email.changed', 'message.files'];

/** The conversation such a signal is about (it reads its thread again), or null. */
export function threadRereadEvent(e: CompanyEvent): { conversationId: string } | null {
  if (!THREAD_REREAD_EVENTS.includes(e.event) || !str(e.payload.conversation_id)) return null;
  return { conversationId: e.payload.conversation_id };
}

export function needsReread(e: CompanyEvent): boolean {
  if (e.event === 'company.topic_changed') return true; // the topic moved: the loader reads the new one
  if (e.event === 'label.changed' || e.event === 'conversation.labeled') return true; // labels are read, not patched
  if (e.event === 'message.created') return messageEvent(e) === null;
  if (e.event === 'conversation.created' || e.event === 'conversation.updated') return conversationEvent(e) === null;
  return false;
}
