// A Meta channel as the functions use it: the row (service role) with its secrets opened on demand.
import { HttpError } from '../http.ts';
import { adminClient } from '../supabase.ts';
import { openSecret } from './crypto.ts';

export interface Channel {
  id: string;
  company_id: string;
  platform: 'facebook' | 'instagram';
  page_id: string;
  account_id: string;
  page_token_cipher: string;
  app_secret_cipher: string;
  verify_token_cipher: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The channel by id; a missing or malformed id is the same 404 (nothing says which channels exist). */
export async function findChannel(id: string | null | undefined): Promise<Channel> {
  if (!id || !UUID.test(id)) throw new HttpError(404, 'channel_not_found', 'No such channel.');
  const { data, error } = await adminClient().from('meta_channels').select('*').eq('id', id).maybeSingle();
  if (error) throw new Error(`channel lookup: ${error.message}`);
  if (!data) throw new HttpError(404, 'channel_not_found', 'No such channel.');
  return data as Channel;
}

export const pageToken = (c: Channel) => openSecret(c.page_token_cipher, c.id, 'page_token');
export const appSecret = (c: Channel) => openSecret(c.app_secret_cipher, c.id, 'app_secret');
export const verifyToken = (c: Channel) => openSecret(c.verify_token_cipher, c.id, 'verify_token');
