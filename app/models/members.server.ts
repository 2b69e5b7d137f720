// Company members: the list (assignees, the team page), the signed-in user's memberships, role changes, removals.
import type { SupabaseClient } from '@supabase/supabase-js';
import { check, type Written, written } from './query.server.ts';

export type Role = 'admin' | 'agent';

export interface Member {
  user_id: string;
  role: Role;
  display_name: string | null;
}

export interface Membership {
  companyId: string;
  companyName: string;
  role: Role;
  displayName: string;
  /** The company's private Realtime topic (company:<id>:<key>); it moves when a member is removed. */
  realtimeTopic: string;
}

export async function listMembers(supabase: SupabaseClient, companyId: string): Promise<Member[]> {
  return check(
    await supabase.from('company_members').select('user_id, role, display_name').eq('company_id', companyId).order('display_name'),
    'members',
  ) as Member[];
}

/** The memberships of `userId`, company names included, read as the user (RLS). */
export async function loadMemberships(supabase: SupabaseClient, userId: string): Promise<Membership[]> {
  const { data: rows, error } = await supabase.from('company_members').select('company_id, role, display_name').eq('user_id', userId);
  if (error) throw new Error(`could not read memberships: ${error.message}`);
  if (!rows?.length) return [];
  const ids = rows.map((r) => r.company_id as string);
  const { data: companies, error: companiesError } = await supabase.from('companies').select('id, name, realtime_topic').in('id', ids);
  if (companiesError) throw new Error(`could not read companies: ${companiesError.message}`);
  const names = new Map((companies ?? []).map((c) => [c.id as string, c.name as string]));
  const topics = new Map((companies ?? []).map((c) => [c.id as string, c.realtime_topic as string]));
  return rows
    .filter((r) => names.has(r.company_id as string))
    .map((r) => ({
      companyId: r.company_id as string,
      companyName: names.get(r.company_id as string) ?? '',
      role: r.role as Role,
      displayName: (r.display_name as string | null) ?? '',
      realtimeTopic: topics.get(r.company_id as string) ?? '',
    }))
    .sort((a, b) => a.companyName.localeCompare(b.companyName));
}

export async function changeMemberRole(supabase: SupabaseClient, companyId: string, userId: string, role: Role): Promise<Written> {
  return written(await supabase.from('company_members').update({ role }).eq('company_id', companyId).eq('user_id', userId).select('user_id'));
}

export async function removeMember(supabase: SupabaseClient, companyId: string, userId: string): Promise<Written> {
  return written(await supabase.from('company_members').delete().eq('company_id', companyId).eq('user_id', userId).select('user_id'));
}
