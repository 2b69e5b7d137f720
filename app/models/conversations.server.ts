// Conversation queries through the request's RLS-scoped client: the inbox page (filters, search, keyset paging),
// one conversation with its thread, the unread counts, reading and the workflow fields (status, assignee, bot).
// Column names follow supabase/migrations (issue 4).
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ConversationStatus } from '../../functions/_shared/conversation-rules.ts';
import { decodeCursor, encodeCursor } from './conversation-cursor.ts';
import { searchConversations } from './conversation-search.server.ts';
import { recentMessages } from './messages.server.ts';
import { check, DataError } from './query.server.ts';
import { getVisitor, type VisitorName, visitorsById } from './visitors.server.ts';

export type Platform = 'widget' | 'facebook' | 'instagram';
export type Scope = 'all' | 'mine' | 'unassigned';

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

export const CONVERSATION_COLUMNS =
  'id, company_id, visitor_id, platform, status, assignee_id, auto_bot, last_message_at, last_message_preview, unread_count, visitor_last_read_message_id, visitor_last_read_at, agent_last_read_message_id, created_at, updated_at';

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
  /** Where conversations come from (widget, facebook, instagram); 'all' or absent: everywhere. */
  platform?: 'all' | Platform;
  q: string;
  /** Keyset cursor: `<last_message_at>|<id>` of the last row of the previous page (conversation-cursor.ts); a search's is search-cursor.ts's. */
  after: string | null;
  /** A search's date range, calendar days (UTC), both inclusive. */
  from?: string | null;
  to?: string | null;
  /** Only conversations carrying this label. */
  label?: string | null;
}

export interface InboxItem extends ConversationRow {
  visitor: VisitorName | null;
}

/** What the inbox list shows of a conversation; a search result adds its snippet (matches between U+E000/U+E001). */
export type InboxListItem = Pick<
  InboxItem,
  'id' | 'platform' | 'status' | 'assignee_id' | 'unread_count' | 'last_message_at' | 'last_message_preview' | 'updated_at' | 'visitor_last_read_message_id' | 'visitor_id' | 'visitor'
> & { snippet?: string | null };

/** PostgREST filter value in double quotes (commas, dots and parentheses are then literal). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function listConversations(
  supabase: SupabaseClient,
  companyId: string,
  userId: string,
  query: InboxQuery,
): Promise<{ items: InboxListItem[]; nextCursor: string | null }> {
  if (query.q) return searchConversations(supabase, companyId, userId, query);
  // A label filter is an inner many-to-many embed that selects nothing (conversation_labels by label, its index).
  let req = query.label
    ? supabase.from('conversations').select(`${CONVERSATION_COLUMNS}, conversation_labels!inner()`).eq('company_id', companyId).eq('conversation_labels.label_id', query.label)
    : supabase.from('conversations').select(CONVERSATION_COLUMNS).eq('company_id', companyId);
  if (query.status !== 'all') req = req.eq('status', query.status);
  if (query.scope === 'mine') req = req.eq('assignee_id', userId);
  if (query.scope === 'unassigned') req = req.is('assignee_id', null);
  if (query.platform && query.platform !== 'all') req = req.eq('platform', query.platform);
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

// ---------- conversation ----------

export async function getConversation(supabase: SupabaseClient, companyId: string, id: string) {
  const conversation = check(
    await supabase.from('conversations').select(CONVERSATION_COLUMNS).eq('company_id', companyId).eq('id', id).maybeSingle(),
    'conversation',
  ) as ConversationRow | null;
  if (!conversation) return null;
  const [visitor, messages, earlierRes] = await Promise.all([
    getVisitor(supabase, conversation.visitor_id),
    recentMessages(supabase, id),
    supabase
      .from('conversations')
      .select('id, status, platform, last_message_at, last_message_preview')
      .eq('company_id', companyId)
      .eq('visitor_id', conversation.visitor_id)
      .neq('id', id)
      .order('last_message_at', { ascending: false })
      .limit(10),
  ]);
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
  if (error) throw new DataError(`mark read: ${error.message}`, error);
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
