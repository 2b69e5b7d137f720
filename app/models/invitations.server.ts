// Company invitations: an admin's pending list, invite and revoke (through RLS, into their own company only), and
// the invitee's side (their invitations, accepting one), which go through security-definer RPCs.
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import type { Role } from './members.server.ts';
import { type Written, written } from './query.server.ts';

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  display_name: string;
  expires_at: string;
}

/** An invitation as its invitee sees it (my_invitations). */
export interface InvitationView {
  id: string;
  company_id: string;
  company_name: string;
  role: Role;
  display_name: string;
  expires_at: string;
}

export async function listPendingInvitations(supabase: SupabaseClient, companyId: string): Promise<PendingInvitation[]> {
  const { data, error } = await supabase
    .from('company_invitations')
    .select('id, email, role, display_name, expires_at')
    .eq('company_id', companyId)
    .is('accepted_at', null)
    .order('created_at');
  if (error) throw new Error(`could not read invitations: ${error.message}`);
  return (data ?? []) as PendingInvitation[];
}

export async function createInvitation(
  supabase: SupabaseClient,
  invitation: { company_id: string; email: string; role: Role; display_name: string },
): Promise<{ id: string; error: null } | { id: null; error: PostgrestError }> {
  const { data, error } = await supabase.from('company_invitations').insert(invitation).select('id').single();
  return error || !data ? { id: null, error: error! } : { id: data.id as string, error: null };
}

/** Takes back an invitation whose email could not be sent. */
export async function deleteInvitation(supabase: SupabaseClient, id: string): Promise<void> {
  await supabase.from('company_invitations').delete().eq('id', id);
}

export async function revokePendingInvitation(supabase: SupabaseClient, companyId: string, id: string): Promise<Written> {
  return written(await supabase.from('company_invitations').delete().eq('company_id', companyId).eq('id', id).is('accepted_at', null).select('id'));
}

/** The invitations addressed to the signed-in user's verified email. */
export async function myInvitations(supabase: SupabaseClient): Promise<InvitationView[]> {
  const { data, error } = await supabase.rpc('my_invitations');
  if (error) throw new Error(`could not read invitations: ${error.message}`);
  return (data ?? []) as InvitationView[];
}

/** Whether the signed-in user has an invitation waiting (no error: a failed read says no). */
export async function hasInvitations(supabase: SupabaseClient): Promise<boolean> {
  const { data } = await supabase.rpc('my_invitations');
  return Boolean(data?.length);
}

/** Joins the invitation's company: its id, or the refusal (its hint names why). */
export async function acceptInvitation(supabase: SupabaseClient, invitationId: string) {
  const { data, error } = await supabase.rpc('accept_invitation', { p_invitation_id: invitationId });
  return { companyId: data as string | null, error };
}
