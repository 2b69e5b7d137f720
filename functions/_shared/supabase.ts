// The function's environment: the service-role client and numeric settings, read from Deno.env.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';

declare const Deno: { env: { get(name: string): string | undefined } };

let admin: SupabaseClient | null = null;
/** Service-role client: used only after the origin and the visitor's JWT have been checked. */
export function adminClient(): SupabaseClient {
  admin ??= createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  return admin;
}

/** A positive number from the environment, or `fallback` when unset or not one. */
export function envNumber(setting: { env: string; fallback: number }): number {
  const v = Number(Deno.env.get(setting.env));
  return Number.isFinite(v) && v > 0 ? v : setting.fallback;
}
