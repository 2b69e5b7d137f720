// A new Messenger/Instagram sender becomes a visitor: an auth user of their own (no password, no way to sign in)
// with an id derived from channel and sender, so a retry after a failure finds the same user.
import { adminClient } from '../supabase.ts';
import type { Channel } from './channel.ts';
import { getProfile } from './graph.ts';

async function derivedUserId(channelId: string, senderId: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`meta:${channelId}:${senderId}`)));
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = Array.from(h.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface NewSender {
  userId: string;
  name: string | null;
  picture: string | null;
}

export async function createSender(channel: Channel, senderId: string, token: string): Promise<NewSender> {
  const profile = await getProfile(senderId, token, channel.platform);
  const p = profile.data;
  const name = p?.name ?? ([p?.first_name, p?.last_name].filter(Boolean).join(' ') || p?.username || null);
  const userId = await derivedUserId(channel.id, senderId);
  const { error } = await adminClient().auth.admin.createUser({
    id: userId,
    email: `${channel.platform}-${senderId}@${channel.id}.channels.invalid`,
    email_confirm: false,
    user_metadata: { channel: channel.platform },
  });
  if (error && error.code !== 'email_exists' && error.status !== 422) throw new Error(`sender user: ${error.message}`);
  return { userId, name, picture: p?.profile_pic ?? null };
}
