// The emails sent to a conversation's visitor (follow-ups, transcripts) and their delivery state (RLS: members).
import type { SupabaseClient } from '@supabase/supabase-js';

export interface VisitorEmailRow {
  id: string;
  kind: 'follow_up' | 'transcript';
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export async function listVisitorEmails(supabase: SupabaseClient, conversationId: string): Promise<VisitorEmailRow[]> {
  const { data, error } = await supabase
    .from('visitor_emails')
    .select('id, kind, status, attempts, last_error, created_at, sent_at')
    .eq('conversation_id', conversationId)
    .order('created_at', { ascending: false })
    .limit(20);
  if (error) throw new Error(`visitor emails: ${error.message}`);
  return data as VisitorEmailRow[];
}
