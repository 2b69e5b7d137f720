// Message queries: a thread's latest messages, an agent's reply (idempotent by its client-made id). Search: conversation-search.server.ts.
import type { SupabaseClient } from '@supabase/supabase-js';
import { type Message, toMessage } from '../../functions/_shared/contract.ts';
import { check, DataError } from './query.server.ts';

const MESSAGE_COLUMNS = 'id, conversation_id, sender_kind, author_name, body, created_at, is_private';

/** The conversation's latest 100 messages, oldest first, shaped as the widget API's (and the live events') Message. */
export async function recentMessages(supabase: SupabaseClient, conversationId: string): Promise<Message[]> {
  const res = await supabase
    .from('messages')
    .select(MESSAGE_COLUMNS)
    .eq('conversation_id', conversationId)
    .order('created_at', { ascending: false })
    .order('id', { ascending: false })
    .limit(100);
  // Notes (is_private) are read here because this client is an agent's; RLS hides them from a visitor's.
  return (check(res, 'messages') as Record<string, unknown>[]).map((r) => ({ ...toMessage(r), ...(r.is_private === true ? { isPrivate: true } : {}) })).reverse();
}

/** Ids of conversations with a message whose text matches the LIKE pattern (newest first). */
export async function insertAgentMessage(
  supabase: SupabaseClient,
  // No author_name: the database sets it from the author's membership (clients may not choose it).
  row: { id: string; conversation_id: string; body: string; author_id: string; is_private?: boolean },
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
