// Guards every loader and action starts with. They resolve the signed-in agent from the session cookies
// (validated by the auth server, not just decoded), their memberships (read through RLS), and the
// company they are working in (a cookie, honoured only if they are a member of it).
import { createCookie, json, redirect } from '@remix-run/node';
import { isAuthRetryableFetchError, type SupabaseClient, type User } from '@supabase/supabase-js';
import { createSupabase } from './supabase.server.ts';

export type Role = 'admin' | 'agent';

export interface Membership {
  companyId: string;
  companyName: string;
  role: Role;
  displayName: string;
  /** The company's private Realtime topic (company:<id>:<key>); it moves when a member is removed. */
  realtimeTopic: string;
}

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

/** The memberships of `userId`, company names included, read as the user (RLS). */
export async function loadMemberships(supabase: SupabaseClient, userId: string): Promise<Membership[]> {
  const { data: rows, error } = await supabase
    .from('company_members')
    .select('company_id, role, display_name')
    .eq('user_id', userId);
  if (error) throw new Error(`could not read memberships: ${error.message}`);
  if (!rows?.length) return [];
  const ids = rows.map((r) => r.company_id as string);
  const { data: companies, error: companiesError } = await supabase.from('companies').select('id, name, realtime_topic').in('id', ids);
  if (companiesError) throw new Error(`could not read companies: ${companiesError.message}`);
  const names = new Map((companies ?? []).map((c) => [c.id as string, c.name as string]));
  const topics = new Map((companies ?? []).map((c) => [c.id as string, c.realtime_topic as string]));
  return rows
    .filter((r) => names.has(r.company_id as string))
    .map((r) => ({
      companyId: r.company_id as string,
      companyName: names.get(r.company_id as string) ?? '',
      role: r.role as Role,
      displayName: (r.display_name as string | null) ?? '',
      realtimeTopic: topics.get(r.company_id as string) ?? '',
    }))
    .sort((a, b) => a.companyName.localeCompare(b.companyName));
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
    const { data: invitations } = await supabase.rpc('my_invitations');
    if (invitations?.length) throw redirect('/invitations', { headers });
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
