// Guards every loader and action starts with. They resolve the signed-in agent from the session cookies
// (validated by the auth server, not just decoded), their memberships (read through RLS), and the
// company they are working in (a cookie, honoured only if they are a member of it).
import { createCookie, json, redirect } from '@remix-run/node';
import { isAuthRetryableFetchError, type SupabaseClient, type User } from '@supabase/supabase-js';
import { hasInvitations } from '../models/invitations.server.ts';
import { loadMemberships, type Membership, type Role } from '../models/members.server.ts';
import { createSupabase } from './supabase.server.ts';

export type { Membership, Role };

export interface AgentContext {
  supabase: SupabaseClient;
  /** Set-Cookie headers to attach to the response (refreshed session). */
  headers: Headers;
  user: User;
  memberships: Membership[];
  /** The membership for the company currently selected. */
  current: Membership;
}

export const companyCookie = createCookie('pl_company', {
  path: '/',
  sameSite: 'lax',
  httpOnly: true,
  maxAge: 60 * 60 * 24 * 365,
});

export function loginRedirect(request: Request, headers?: Headers): Response {
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  const to = back && back !== '/' ? `/login?redirectTo=${encodeURIComponent(back)}` : '/login';
  return redirect(to, { headers });
}

export function errorResponse(status: number, code: string, message: string, headers?: Headers, extra: Record<string, unknown> = {}) {
  return json({ code, message, ...extra }, { status, headers });
}

/**
 * The signed-in user or null; never throws for a missing or dead session. An auth server that cannot be reached
 * (or fails) says nothing about the session: that is a 503 to retry, not a sign-out.
 */
export async function getSessionUser(request: Request) {
  const { supabase, headers } = createSupabase(request);
  const { data, error } = await supabase.auth.getUser();
  if (error && (isAuthRetryableFetchError(error) || (error.status ?? 0) >= 500)) {
    throw errorResponse(503, 'auth_unavailable', 'The sign-in service cannot be reached right now. Retrying…', headers);
  }
  return { supabase, headers, user: error ? null : data.user };
}

// One HTTP request runs several loaders (a document, or a single-fetch revalidation of all of them), and Remix
// hands each loader its own copy of the Request but the same load context (app/server.ts makes one per request):
// resolve the agent once per context, so a revalidation round verifies the user with Auth once.
const resolved = new WeakMap<object, Promise<AgentContext>>();

export function requireAgent(request: Request, context?: object): Promise<AgentContext> {
  const key = context ?? request;
  let pending = resolved.get(key);
  if (!pending) {
    pending = resolveAgent(request);
    resolved.set(key, pending);
  }
  // A refusal (a redirect to /login, a 503) is one Response thrown to every loader of the round: each gets its own
  // copy, as Remix reads each loader's body (one body read twice fails the whole round).
  return pending.catch((thrown: unknown) => {
    throw thrown instanceof Response ? thrown.clone() : thrown;
  });
}

async function resolveAgent(request: Request): Promise<AgentContext> {
  const { supabase, headers, user } = await getSessionUser(request);
  if (!user) throw loginRedirect(request, headers);
  const memberships = await loadMemberships(supabase, user.id);
  if (!memberships.length) {
    // Invited but not joined yet (e.g. just signed in): the invitations page, not a dead end.
    if (await hasInvitations(supabase)) throw redirect('/invitations', { headers });
    throw errorResponse(403, 'not_a_member', 'This account is not a member of any company. Ask an admin to add you.', headers);
  }
  const chosen = (await companyCookie.parse(request.headers.get('Cookie'))) as string | null;
  const current = memberships.find((m) => m.companyId === chosen) ?? memberships[0]!;
  return { supabase, headers, user, memberships, current };
}

export async function requireAdmin(request: Request, context?: object): Promise<AgentContext> {
  const ctx = await requireAgent(request, context);
  if (ctx.current.role !== 'admin') {
    throw errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
  }
  return ctx;
}
