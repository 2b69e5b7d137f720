// Messenger/Instagram conversations in the dashboard: hand an agent's reply to the meta-send Edge Function (as the
// agent: it checks what they may send), and read the replies' delivery state and Meta's 24-hour window.
import type { SupabaseClient } from '@supabase/supabase-js';

export const CHANNEL_PLATFORMS = ['facebook', 'instagram'] as const;
const WINDOW_MS = 24 * 60 * 60 * 1000;

export const isChannelPlatform = (platform: string) => (CHANNEL_PLATFORMS as readonly string[]).includes(platform);

export interface Delivery {
  message_id: string;
  status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  error: string | null;
  attempts: number;
  /** A background retry is planned for then (Meta had a transient failure); null otherwise. */
  next_attempt_at: string | null;
}

/** Sends a stored reply through the Send API; the delivery row records the outcome either way. */
export async function sendThroughChannel(supabase: SupabaseClient, messageId: string): Promise<{ ok: boolean; message?: string }> {
  const { data, error } = await supabase.functions.invoke('meta-send', { body: { messageId } });
  if (!error) return { ok: true, ...(data as object) };
  const context = (error as { context?: Response }).context;
  const body = context ? ((await context.json().catch(() => null)) as { message?: string } | null) : null;
  return { ok: false, message: body?.message ?? 'The message could not be handed to Messenger.' };
}

/**
 * A reply just stored, handed to the Send API when its conversation is on Messenger/Instagram (undefined when it
 * is not). Every way an agent replies (text, files) goes through here.
 */
export async function sendIfChannel(supabase: SupabaseClient, conversationId: string, messageId: string) {
  const { data: conv } = await supabase.from('conversations').select('platform').eq('id', conversationId).maybeSingle();
  return conv && isChannelPlatform(conv.platform) ? sendThroughChannel(supabase, messageId) : undefined;
}

/** The deliveries of a conversation's replies and whether Meta's window is open (the customer wrote < 24 h ago). */
export async function channelState(supabase: SupabaseClient, conversationId: string, messages: { id: string; senderKind: string; createdAt: string }[]) {
  const ids = messages.filter((m) => m.senderKind !== 'visitor').map((m) => m.id);
  const { data } = ids.length ? await supabase.from('meta_deliveries').select('message_id, status, error, attempts, next_attempt_at').in('message_id', ids) : { data: [] };
  const { data: last } = await supabase
    .from('messages')
    .select('created_at')
    .eq('conversation_id', conversationId)
    .eq('sender_kind', 'visitor')
    .order('created_at', { ascending: false })
    .limit(1)
    .maybeSingle();
  const windowOpen = last ? Date.now() - Date.parse(last.created_at) < WINDOW_MS : false;
  return { deliveries: (data ?? []) as Delivery[], windowOpen };
}
