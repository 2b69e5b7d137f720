// Canned response queries through the request's RLS-scoped client: every member lists them, admins write them.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { CannedResponse } from '../lib/canned-variables.ts';
import { check } from './query.server.ts';

export async function listCanned(supabase: SupabaseClient, companyId: string): Promise<CannedResponse[]> {
  return check(
    await supabase.from('canned_responses').select('id, shortcut, title, body').eq('company_id', companyId).order('shortcut').limit(500),
    'canned responses',
  ) as CannedResponse[];
}

export async function createCanned(supabase: SupabaseClient, companyId: string, c: Omit<CannedResponse, 'id'>) {
  return supabase.from('canned_responses').insert({ company_id: companyId, ...c });
}

export async function updateCanned(supabase: SupabaseClient, companyId: string, id: string, c: Omit<CannedResponse, 'id'>) {
  return supabase.from('canned_responses').update(c, { count: 'exact' }).eq('company_id', companyId).eq('id', id);
}

export async function deleteCanned(supabase: SupabaseClient, companyId: string, id: string) {
  return supabase.from('canned_responses').delete({ count: 'exact' }).eq('company_id', companyId).eq('id', id);
}
