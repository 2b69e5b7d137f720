// Label queries through the request's RLS-scoped client: the company's labels, the labels of conversations,
// putting a label on a conversation and taking it off, and the admins' create/change/delete.
import type { SupabaseClient } from '@supabase/supabase-js';
import { check } from './query.server.ts';

export interface Label {
  id: string;
  name: string;
  color: string;
}

export async function listLabels(supabase: SupabaseClient, companyId: string): Promise<Label[]> {
  return check(await supabase.from('labels').select('id, name, color').eq('company_id', companyId).order('name').limit(200), 'labels') as Label[];
}

/** conversation id → its label ids, for the given conversations. */
export async function labelIdsOf(supabase: SupabaseClient, conversationIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!conversationIds.length) return out;
  const rows = check(
    await supabase.from('conversation_labels').select('conversation_id, label_id').in('conversation_id', conversationIds).limit(5000),
    'conversation labels',
  ) as { conversation_id: string; label_id: string }[];
  for (const r of rows) out.set(r.conversation_id, [...(out.get(r.conversation_id) ?? []), r.label_id]);
  return out;
}

/** Puts a label on a conversation; adding one it already has is not an error. Returns the database error code. */
export async function addConversationLabel(supabase: SupabaseClient, conversationId: string, labelId: string): Promise<string | null> {
  const { error } = await supabase.from('conversation_labels').insert({ conversation_id: conversationId, label_id: labelId });
  if (!error || error.code === '23505') return null;
  return error.code ?? 'unknown';
}

export async function removeConversationLabel(supabase: SupabaseClient, conversationId: string, labelId: string): Promise<void> {
  check(await supabase.from('conversation_labels').delete().eq('conversation_id', conversationId).eq('label_id', labelId), 'remove label');
}

export async function createLabel(supabase: SupabaseClient, companyId: string, label: Omit<Label, 'id'>) {
  return supabase.from('labels').insert({ company_id: companyId, ...label });
}

export async function updateLabel(supabase: SupabaseClient, companyId: string, id: string, label: Omit<Label, 'id'>) {
  return supabase.from('labels').update(label, { count: 'exact' }).eq('company_id', companyId).eq('id', id);
}

export async function deleteLabel(supabase: SupabaseClient, companyId: string, id: string) {
  return supabase.from('labels').delete({ count: 'exact' }).eq('company_id', companyId).eq('id', id);
}
