// Browser-side supabase-js, used only for Realtime (broadcast + presence). The session comes from the
// cookies the server set, so private channels are authorized as the signed-in agent.
import { createBrowserClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';

let client: SupabaseClient | undefined;

export function browserSupabase(supabaseUrl: string, anonKey: string): SupabaseClient {
  client ??= createBrowserClient(supabaseUrl, anonKey);
  return client;
}
