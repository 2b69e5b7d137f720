// Inbox search through public.search_conversations (issue 24, ADR 0020): ranked conversations with a marked
// snippet, the visitor's name and the inbox filters, keyset-paged; one RPC as the signed-in agent.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ConversationRow, InboxListItem, InboxQuery } from './conversations.server.ts';
import { check } from './query.server.ts';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor.ts';

export const SEARCH_PAGE_SIZE = 25;

interface SearchRow extends Pick<ConversationRow, 'id' | 'status' | 'assignee_id' | 'platform' | 'unread_count' | 'last_message_at' | 'last_message_preview' | 'updated_at' | 'visitor_last_read_message_id' | 'visitor_id'> {
  tier: number;
  matched: 'message' | 'visitor';
  snippet: string | null;
  visitor_name: string | null;
  visitor_email: string | null;
}

/** A calendar day (YYYY-MM-DD, UTC) as the start of that day, or of the next one for an inclusive end. */
function dayStart(day: string | null, next = false): string | null {
  if (!day) return null;
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) ? null : new Date(t + (next ? 86_400_000 : 0)).toISOString();
}

export async function searchConversations(
  supabase: SupabaseClient,
  companyId: string,
  userId: string,
  query: InboxQuery,
): Promise<{ items: InboxListItem[]; nextCursor: string | null }> {
  const cursor = decodeSearchCursor(query.after);
  const { data, error } = await supabase.rpc('search_conversations', {
    p_company_id: companyId,
    p_query: query.q,
    p_status: query.status === 'all' ? null : query.status,
    p_assignee_id: query.scope === 'mine' ? userId : null,
    p_unassigned: query.scope === 'unassigned',
    p_from: dayStart(query.from ?? null),
    p_to: dayStart(query.to ?? null, true),
    p_label_ids: query.label ? [query.label] : null,
    p_platform: query.platform && query.platform !== 'all' ? query.platform : null,
    p_after_tier: cursor?.tier ?? null,
    p_after_at: cursor?.at ?? null,
    p_after_id: cursor?.id ?? null,
    p_limit: SEARCH_PAGE_SIZE + 1,
  });
  const rows = check({ data, error }, 'search conversations') as SearchRow[];
  const page = rows.slice(0, SEARCH_PAGE_SIZE);
  return {
    items: page.map((r) => ({ ...r, visitor: { id: r.visitor_id, name: r.visitor_name, email: r.visitor_email } })),
    nextCursor: rows.length > SEARCH_PAGE_SIZE ? encodeSearchCursor(page[page.length - 1]!) : null,
  };
}
