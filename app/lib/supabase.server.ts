// The one request-scoped Supabase client factory. It carries the agent's session from cookies, so every
// read and write goes through row-level security as that agent; refreshed tokens are written back as
// Set-Cookie headers, which callers must attach to their response.
import { createServerClient, parseCookieHeader, serializeCookieHeader } from '@supabase/ssr';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { env } from './env.server.ts';

export interface RequestSupabase {
  supabase: SupabaseClient;
  /** Set-Cookie headers produced while handling this request (sign-in, token refresh, sign-out). */
  headers: Headers;
}

export function createSupabase(request: Request): RequestSupabase {
  const { supabaseUrl, anonKey } = env();
  const headers = new Headers();
  const supabase = createServerClient(supabaseUrl, anonKey, {
    cookies: {
      getAll() {
        return parseCookieHeader(request.headers.get('Cookie') ?? '').map((c) => ({ name: c.name, value: c.value ?? '' }));
      },
      setAll(cookies) {
        for (const { name, value, options } of cookies) {
          headers.append('Set-Cookie', serializeCookieHeader(name, value, { ...options, sameSite: 'lax', path: '/' }));
        }
      },
    },
    // Node 20 has no global WebSocket; supabase-js refuses to construct without a transport.
    realtime: { transport: WebSocket as never },
  });
  return { supabase, headers };
}

/**
 * Service-role client for the few admin actions GoTrue only allows to the service role (creating an
 * agent's auth user). Never used for reads or writes of product tables.
 */
export function createServiceRoleClient(): SupabaseClient {
  const { supabaseUrl, serviceRoleKey } = env();
  if (!serviceRoleKey) throw new Error('SUPABASE_SERVICE_ROLE_KEY is not set; admin actions are unavailable');
  return createClient(supabaseUrl, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });
}
