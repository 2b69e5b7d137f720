// Meta's standard messaging window: a page may answer for 24 hours after the customer's last message.
import { adminClient } from '../supabase.ts';

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export async function messagingWindowOpen(conversationId: string, now = Date.now()): Promise<boolean> {
  const { data, error } = await adminClient()
    .from('messages')
    .select('created_at')
    .eq('conversation_id', conversationId)
    .eq('sender_kind', 'visitor')
    .order('created_at', { ascending: false })
    .limit(1)
    .maybeSingle();
  if (error) throw new Error(`window: ${error.message}`);
  return data ? now - Date.parse(data.created_at) < WINDOW_MS : false;
}
