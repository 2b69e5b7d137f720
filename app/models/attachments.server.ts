// A conversation's files as the agent may read them (RLS: sent files of their company's conversations).
import type { SupabaseClient } from '@supabase/supabase-js';

export interface FileRow {
  id: string;
  message_id: string;
  name: string;
  content_type: string;
  size_bytes: number;
  thumbnail_path: string | null;
}

export async function listConversationFiles(supabase: SupabaseClient, conversationId: string): Promise<FileRow[]> {
  const { data, error } = await supabase
    .from('attachments')
    .select('id, message_id, name, content_type, size_bytes, thumbnail_path')
    .eq('conversation_id', conversationId)
    .not('message_id', 'is', null)
    .order('created_at')
    .limit(500);
  if (error) throw new Error(`conversation files: ${error.message}`);
  return data as FileRow[];
}
