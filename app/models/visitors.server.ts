// Visitor queries (the profile beside a thread, the names in the inbox), through RLS.
import type { SupabaseClient } from '@supabase/supabase-js';
import { check } from './query.server.ts';

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
  /** Set when a signed identify() linked this visitor to a verified person (ADR 0013). */
  verified_visitor_id?: string | null;
}

export type VisitorName = Pick<VisitorRow, 'id' | 'name' | 'email'>;

export const VISITOR_COLUMNS =
  'id, name, email, phone, first_seen_at, last_seen_at, last_page_url, last_page_title, user_agent, locale, verified_visitor_id';

export async function getVisitor(supabase: SupabaseClient, id: string): Promise<VisitorRow | null> {
  return check(await supabase.from('visitors').select(VISITOR_COLUMNS).eq('id', id).maybeSingle(), 'visitor') as VisitorRow | null;
}

export async function visitorsById(supabase: SupabaseClient, ids: string[]): Promise<Map<string, VisitorName>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = check(await supabase.from('visitors').select('id, name, email').in('id', unique), 'visitors') as VisitorName[];
  return new Map(rows.map((v) => [v.id, v]));
}

