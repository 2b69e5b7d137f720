// Calling the dashboard's loaders and actions directly with Requests, against the real local stack that
// tests/support/global-setup.ts started; plus fixtures (companies, members, conversations) written as the
// database superuser, and logins created through the auth admin API.

import { randomUUID } from 'node:crypto';
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { db, serviceClient, stack, uniqueEmail } from '../support/stack.ts';

export const BASE = 'http://dashboard.test';

/** Point the dashboard's env at the test stack (the app reads it per request). */
export function useTestStackEnv() {
  const s = stack();
  process.env.SUPABASE_URL = s.apiUrl;
  process.env.SUPABASE_ANON_KEY = s.anonKey;
  process.env.SUPABASE_SERVICE_ROLE_KEY = s.serviceRoleKey;
  process.env.WIDGET_SCRIPT_URL = 'http://127.0.0.1:3001/widget.js';
}

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<Response> | Response;

/** Run a loader/action; thrown Responses (redirects, 403s) are returned like returned ones. */
export async function call(
  handler: unknown,
  path: string,
  opts: {
    cookie?: string;
    form?: Record<string, string | string[]>;
    /** A raw POST body with its Content-Type (instead of `form`). */
    raw?: { body: string; type: string };
    params?: Record<string, string>;
    /** Remix load context (app/server.ts passes the client's address as `clientAddress`). */
    context?: Record<string, unknown>;
  } = {},
): Promise<Response> {
  const headers = new Headers();
  if (opts.cookie) headers.set('Cookie', opts.cookie);
  let body: URLSearchParams | string | undefined;
  if (opts.form) {
    body = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    headers.set('Content-Type', 'application/x-www-form-urlencoded');
  } else if (opts.raw) {
    body = opts.raw.body;
    headers.set('Content-Type', opts.raw.type);
  }
  const request = new Request(BASE + path, { method: body !== undefined ? 'POST' : 'GET', headers, body });
  try {
    const res = await (handler as Handler)({ request, params: opts.params ?? {}, context: opts.context ?? {} });
    return res;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** Cookie header value from a response's Set-Cookie headers (merged over an existing cookie string). */
export function cookiesFrom(res: Response, previous = ''): string {
  const jar = new Map<string, string>();
  for (const part of previous.split(/;\s*/).filter(Boolean)) {
    const i = part.indexOf('=');
    jar.set(part.slice(0, i), part.slice(i + 1));
  }
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    const name = pair!.slice(0, i);
    const value = pair!.slice(i + 1);
    if (/max-age=0/i.test(c) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

export async function createLogin(prefix: string, password = 'test-password-1') {
  const email = uniqueEmail(prefix);
  const { data, error } = await serviceClient().auth.admin.createUser({ email, password, email_confirm: true });
  if (error || !data.user) throw new Error(`createUser: ${error?.message}`);
  return { id: data.user.id, email, password };
}

export interface Fixture {
  companyId: string;
  widgetKey: string;
  admin: { id: string; email: string; password: string };
  agent: { id: string; email: string; password: string };
  visitorId: string;
  conversationId: string;
  firstMessageId: string;
}

/** A company with an admin, an agent, a widget config and one visitor conversation with an unread message. */
export async function createCompany(name: string): Promise<Fixture> {
  const admin = await createLogin(`${name.toLowerCase()}-admin`);
  const agent = await createLogin(`${name.toLowerCase()}-agent`);
  const visitor = await createLogin(`${name.toLowerCase()}-visitor`);
  const companyId = randomUUID();
  const visitorId = randomUUID();
  const conversationId = randomUUID();
  const firstMessageId = randomUUID();
  const widgetKey = `pk_test_${companyId.slice(0, 8)}`;
  const c = await db('supabase_admin');
  try {
    await c.query('begin');
    await c.query('insert into public.companies (id, name) values ($1, $2)', [companyId, name]);
    await c.query(
      `insert into public.company_members (company_id, user_id, role, display_name)
       values ($1, $2, 'admin', $3), ($1, $4, 'agent', $5)`,
      [companyId, admin.id, `${name} Admin`, agent.id, `${name} Agent`],
    );
    await c.query(`insert into public.widget_configs (company_id, widget_key, allowed_origins) values ($1, $2, $3)`, [
      companyId,
      widgetKey,
      ['http://127.0.0.1:3001'],
    ]);
    await c.query(`insert into public.visitors (id, company_id, user_id, name, email) values ($1, $2, $3, $4, $5)`, [
      visitorId,
      companyId,
      visitor.id,
      `${name} Visitor`,
      visitor.email,
    ]);
    await c.query(`insert into public.conversations (id, company_id, visitor_id) values ($1, $2, $3)`, [conversationId, companyId, visitorId]);
    await c.query(`insert into public.messages (id, conversation_id, sender_kind, author_id, body) values ($1, $2, 'visitor', $3, $4)`, [
      firstMessageId,
      conversationId,
      visitor.id,
      `Hello from a ${name} visitor`,
    ]);
    await c.query('commit');
  } catch (e) {
    await c.query('rollback');
    throw e;
  } finally {
    await c.end();
  }
  return { companyId, widgetKey, admin, agent, visitorId, conversationId, firstMessageId };
}

export async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = await db('supabase_admin');
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}
