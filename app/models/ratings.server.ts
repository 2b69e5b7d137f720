// A conversation's CSAT rating, read as the agent through RLS (members of its company only).
import type { SupabaseClient } from '@supabase/supabase-js';
import { check } from './query.server.ts';

export interface RatingRow {
  scale: 'five' | 'thumbs';
  score: number;
  comment: string | null;
  updated_at: string;
}

export async function getRating(supabase: SupabaseClient, conversationId: string): Promise<RatingRow | null> {
  const res = await supabase.from('conversation_ratings').select('scale, score, comment, updated_at').eq('conversation_id', conversationId).maybeSingle();
  return check(res, 'rating') as RatingRow | null;
}
