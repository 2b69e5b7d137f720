// The dashboard's calls to the Meta functions: the agent's JWT (already verified by the platform, verify_jwt =
// true) read for its user id, and a client acting as that agent so RLS decides what they may see.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { errorResponse, HttpError } from '../http.ts';
import { requireVisitor } from '../visitor.ts';

declare const Deno: { env: { get(name: string): string | undefined } };

export interface Agent {
  id: string;
  /** Queries as the agent (RLS applies). */
  db: SupabaseClient;
}

export function requireAgentCaller(req: Request): Agent {
  const user = requireVisitor(req);
  if (user.isAnonymous) throw new HttpError(403, 'forbidden', 'Only company members can do this.');
  const db = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: req.headers.get('authorization')! } },
  });
  return { id: user.id, db };
}

/** A POST-only JSON endpoint answering {code, message} for every refusal. */
export function agentEndpoint(handle: (req: Request) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
      return await handle(req);
    } catch (err) {
      return errorResponse(err, {});
    }
  };
}
