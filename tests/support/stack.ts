// What tests know about the running stack (started once by global-setup.ts), and client helpers.
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { inject } from 'vitest';
import WebSocket from 'ws';

export interface StackInfo {
  apiUrl: string;
  dbUrl: string;
  adminDbUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  jwtSecret: string;
  /** An Edge Functions folder the stand-in serves, for tests that write functions at run time. */
  scratchFunctionsDir: string;
  /** The stack's mail catcher (Mailpit-style JSON API at /api/v1/messages). */
  mailUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export function stack(): StackInfo {
  return inject('stack');
}

/** An official supabase-js client against the stand-in (Node 20 needs the ws transport). */
export function client(key: string = stack().anonKey, options: Parameters<typeof createClient>[2] = {}) {
  return createClient(stack().apiUrl, key, {
    ...options,
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, ...options.auth },
    realtime: { transport: WebSocket as never, ...options.realtime },
  });
}

export function serviceClient() {
  return client(stack().serviceRoleKey);
}

/** A direct Postgres connection (as `postgres`, like the CLI's DB URL, or as the superuser). */
export async function db(as: 'postgres' | 'supabase_admin' = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: as === 'postgres' ? stack().dbUrl : stack().adminDbUrl });
  await c.connect();
  return c;
}

let counter = 0;
/** A unique email for a test user. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${counter}@example.com`;
}
