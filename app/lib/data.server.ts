// Every query the dashboard makes, in one place, through the request's RLS-scoped client.
// Column names follow supabase/migrations (issue 4).

import { createHash } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';

export type ConversationStatus = 'open' | 'pending' | 'resolved';
export type Platform = 'widget' | 'facebook' | 'instagram';
export type Scope = 'all' | 'mine' | 'unassigned';

export interface VisitorRow {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  first_seen_at: string | null;
  last_seen_at: string | null;
  last_page_url: string | null;
  last_page_title: string | null;
  user_agent: string | null;
  locale: string | null;
}

export interface ConversationRow {
  id: string;
  company_id: string;
  visitor_id: string;
  platform: Platform;
  status: ConversationStatus;
  assignee_id: string | null;
  auto_bot: boolean;
  last_message_at: string;
  last_message_preview: string | null;
  unread_count: number;
  visitor_last_read_message_id: string | null;
  visitor_last_read_at: string | null;
  agent_last_read_message_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  sender_kind: 'visitor' | 'agent' | 'bot' | 'system';
  author_id: string | null;
  author_name: string | null;
  body: string;
  created_at: string;
}

export const CONVERSATION_COLUMNS =
  'id, company_id, visitor_id, platform, status, assignee_id, auto_bot, last_message_at, last_message_preview, unread_count, visitor_last_read_message_id, visitor_last_read_at, agent_last_read_message_id, created_at, updated_at';
export const VISITOR_COLUMNS =
  'id, name, email, phone, first_seen_at, last_seen_at, last_page_url, last_page_title, user_agent, locale';
export const MESSAGE_COLUMNS = 'id, conversation_id, sender_kind, author_id, author_name, body, created_at';

export class DataError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

function check<T>(res: { data: T | null; error: { message: string } | null }, what: string): T {
  if (res.error) throw new DataError(`${what}: ${res.error.message}`, res.error);
  return res.data as T;
}

export function gravatarUrl(email: string | null | undefined): string | null {
  if (!email) return null;
  const hash = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?s=96&d=404`;
}

/** The conversations with unread messages (the live store counts on from these, loaded on screen or not). */
export async function unreadCounts(supabase: SupabaseClient, companyId: string): Promise<{ id: string; unread: number; lastMessageAt: string }[]> {
  const rows = check(
    await supabase.from('conversations').select('id, unread_count, last_message_at').eq('company_id', companyId).gt('unread_count', 0).limit(1000),
    'unread counts',
  ) as { id: string; unread_count: number; last_message_at: string }[];
  return rows.map((r) => ({ id: r.id, unread: r.unread_count, lastMessageAt: r.last_message_at }));
}

// ---------- inbox ----------

export const PAGE_SIZE = 25;

export interface InboxQuery {
  status: ConversationStatus | 'all';
  scope: Scope;
  q: string;
  /** Keyset cursor: `<last_message_at>|<id>` of the last row of the previous page. */
  after: string | null;
}

export interface InboxItem extends ConversationRow {
  visitor: Pick<VisitorRow, 'id' | 'name' | 'email'> | null;
}

/** PostgREST filter value in double quotes (commas, dots and parentheses are then literal). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function encodeCursor(row: Pick<ConversationRow, 'last_message_at' | 'id'>): string {
  return `${row.last_message_at}|${row.id}`;
}

// The exact shapes encodeCursor writes (PostgREST's timestamptz and a uuid): anything else would reach
// Postgres as a bad literal (a 500), so a cursor we did not write is ignored and the first page is shown.
const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isCursorTimestamp(at: string): boolean {
  const m = CURSOR_TIMESTAMP.exec(at);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Reject what Date.parse would roll over (Feb 30) and Postgres would refuse.
  const d = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

export function decodeCursor(cursor: string | null): { at: string; id: string } | null {
  if (!cursor || cursor.length > 100) return null;
  const i = cursor.lastIndexOf('|');
  if (i <= 0) return null;
  const at = cursor.slice(0, i);
  const id = cursor.slice(i + 1);
  if (!isCursorTimestamp(at) || !UUID.test(id)) return null;
  return { at, id };
}

/** Conversation ids matching a search by visitor name/email or message text (RLS keeps it in-company). */
async function searchConversationIds(supabase: SupabaseClient, companyId: string, q: string): Promise<string[]> {
  const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  const [byName, byEmail, byText] = await Promise.all([
    supabase.from('visitors').select('id').ilike('name', like).limit(200),
    supabase.from('visitors').select('id').ilike('email', like).limit(200),
    supabase.from('messages').select('conversation_id').ilike('body', like).order('created_at', { ascending: false }).limit(200),
  ]);
  const visitorIds = new Set<string>();
  for (const r of [...(check(byName, 'search visitors') ?? []), ...(check(byEmail, 'search visitors') ?? [])]) visitorIds.add(r.id as string);
  const ids = new Set<string>((check(byText, 'search messages') ?? []).map((r) => r.conversation_id as string));
  if (visitorIds.size) {
    const convs = check(
      await supabase.from('conversations').select('id').eq('company_id', companyId).in('visitor_id', [...visitorIds]).limit(200),
      'search conversations',
    );
    for (const c of convs ?? []) ids.add(c.id as string);
  }
  return [...ids].slice(0, 300);
}

export async function listConversations(
  supabase: SupabaseClient,
  companyId: string,
  userId: string,
  query: InboxQuery,
): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
  let req = supabase.from('conversations').select(CONVERSATION_COLUMNS).eq('company_id', companyId);
  if (query.status !== 'all') req = req.eq('status', query.status);
  if (query.scope === 'mine') req = req.eq('assignee_id', userId);
  if (query.scope === 'unassigned') req = req.is('assignee_id', null);
  if (query.q) {
    const ids = await searchConversationIds(supabase, companyId, query.q);
    if (!ids.length) return { items: [], nextCursor: null };
    req = req.in('id', ids);
  }
  const cursor = decodeCursor(query.after);
  if (cursor) {
    req = req.or(`last_message_at.lt.${quoted(cursor.at)},and(last_message_at.eq.${quoted(cursor.at)},id.lt.${cursor.id})`);
  }
  const rows = check(
    await req.order('last_message_at', { ascending: false }).order('id', { ascending: false }).limit(PAGE_SIZE + 1),
    'conversations',
  ) as unknown as ConversationRow[];
  const page = rows.slice(0, PAGE_SIZE);
  const visitors = await visitorsById(
    supabase,
    page.map((r) => r.visitor_id),
  );
  return {
    items: page.map((r) => ({ ...r, visitor: visitors.get(r.visitor_id) ?? null })),
    nextCursor: rows.length > PAGE_SIZE ? encodeCursor(page[page.length - 1]!) : null,
  };
}

async function visitorsById(supabase: SupabaseClient, ids: string[]) {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map<string, Pick<VisitorRow, 'id' | 'name' | 'email'>>();
  const rows = check(await supabase.from('visitors').select('id, name, email').in('id', unique), 'visitors') as Pick<
    VisitorRow,
    'id' | 'name' | 'email'
  >[];
  return new Map(rows.map((v) => [v.id, v]));
}

// ---------- conversation ----------

export interface Member {
  user_id: string;
  role: 'admin' | 'agent';
  display_name: string | null;
}

export async function listMembers(supabase: SupabaseClient, companyId: string): Promise<Member[]> {
  return check(
    await supabase.from('company_members').select('user_id, role, display_name').eq('company_id', companyId).order('display_name'),
    'members',
  ) as Member[];
}

export async function getConversation(supabase: SupabaseClient, companyId: string, id: string) {
  const conversation = check(
    await supabase.from('conversations').select(CONVERSATION_COLUMNS).eq('company_id', companyId).eq('id', id).maybeSingle(),
    'conversation',
  ) as ConversationRow | null;
  if (!conversation) return null;
  const [visitorRes, messagesRes, earlierRes] = await Promise.all([
    supabase.from('visitors').select(VISITOR_COLUMNS).eq('id', conversation.visitor_id).maybeSingle(),
    supabase.from('messages').select(MESSAGE_COLUMNS).eq('conversation_id', id).order('created_at', { ascending: false }).order('id', { ascending: false }).limit(100),
    supabase
      .from('conversations')
      .select('id, status, platform, last_message_at, last_message_preview')
      .eq('company_id', companyId)
      .eq('visitor_id', conversation.visitor_id)
      .neq('id', id)
      .order('last_message_at', { ascending: false })
      .limit(10),
  ]);
  const visitor = check(visitorRes, 'visitor') as VisitorRow | null;
  const messages = (check(messagesRes, 'messages') as MessageRow[]).reverse();
  const earlier = check(earlierRes, 'earlier conversations') as Pick<
    ConversationRow,
    'id' | 'status' | 'platform' | 'last_message_at' | 'last_message_preview'
  >[];
  return { conversation, visitor, messages, earlier };
}

export async function conversationExists(supabase: SupabaseClient, companyId: string, id: string): Promise<boolean> {
  const row = check(await supabase.from('conversations').select('id').eq('company_id', companyId).eq('id', id).maybeSingle(), 'conversation');
  return row !== null;
}

/** An agent read the conversation (an explicit action: loaders write nothing). */
export async function markRead(supabase: SupabaseClient, conversationId: string) {
  const { error } = await supabase.rpc('mark_conversation_read', { p_conversation_id: conversationId });
  if (!error) return;
  // Without the RPC (PGRST202: no such function), reset the counter directly.
  if (error.code !== 'PGRST202' && error.code !== '42883') throw new DataError(`mark read: ${error.message}`, error);
  const res = await supabase.from('conversations').update({ unread_count: 0 }).eq('id', conversationId);
  if (res.error) throw new DataError(`mark read: ${res.error.message}`, res.error);
}

export async function insertAgentMessage(
  supabase: SupabaseClient,
  // No author_name: the database sets it from the author's membership (clients may not choose it).
  row: { id: string; conversation_id: string; body: string; author_id: string },
): Promise<'created' | 'duplicate' | 'conflict'> {
  const { error } = await supabase.from('messages').insert({ ...row, sender_kind: 'agent' });
  if (!error) return 'created';
  if (error.code === '23505') {
    // A retry of the same client-generated id: the first attempt already stored it.
    const existing = check(await supabase.from('messages').select('id, conversation_id').eq('id', row.id).maybeSingle(), 'send message') as {
      conversation_id: string;
    } | null;
    if (existing && existing.conversation_id === row.conversation_id) return 'duplicate';
    // The id belongs to another conversation (perhaps one this agent cannot see): the client must pick a new id.
    return 'conflict';
  }
  throw new DataError(`send message: ${error.message}`, error);
}

export async function updateConversation(
  supabase: SupabaseClient,
  companyId: string,
  id: string,
  patch: Partial<Pick<ConversationRow, 'status' | 'assignee_id' | 'auto_bot'>>,
) {
  const res = await supabase.from('conversations').update(patch).eq('company_id', companyId).eq('id', id).select('id');
  const rows = check(res, 'update conversation') as { id: string }[];
  return rows.length;
}
