// Calling the dashboard's loaders and actions directly with Requests, against the real local stack that
// tests/support/global-setup.ts started; plus a company with its team and a conversation, made with the shared
// factories (tests/support/factories.ts) as the database superuser, and logins made through the auth admin API.

import { randomUUID } from 'node:crypto';
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { addMember, createCompany, createConversation, type Login, createLogin as makeLogin } from '../support/factories.ts';
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

export function createLogin(prefix: string, password = 'test-password-1') {
  return makeLogin(serviceClient(), uniqueEmail(prefix), password);
}

export interface Fixture {
  companyId: string;
  widgetKey: string;
  admin: Login;
  agent: Login;
  visitorId: string;
  conversationId: string;
  firstMessageId: string;
}

/** A company with an admin, an agent, a widget config and one visitor conversation with an unread message. */
export async function companyWithTeam(name: string): Promise<Fixture> {
  const admin = await createLogin(`${name.toLowerCase()}-admin`);
  const agent = await createLogin(`${name.toLowerCase()}-agent`);
  const visitor = await createLogin(`${name.toLowerCase()}-visitor`);
  const id = randomUUID();
  const c = await db('supabase_admin');
  try {
    await c.query('begin');
    const { companyId } = await createCompany(c, { id, name, widgetKey: `pk_test_${id.slice(0, 8)}`, widget: { allowed_origins: ['http://127.0.0.1:3001'] } });
    await addMember(c, companyId, admin.id, 'admin', `${name} Admin`);
    await addMember(c, companyId, agent.id, 'agent', `${name} Agent`);
    const conversation = await createConversation(c, {
      companyId,
      userId: visitor.id,
      name: `${name} Visitor`,
      email: visitor.email,
      messages: [{ senderKind: 'visitor', authorId: visitor.id, body: `Hello from a ${name} visitor` }],
    });
    await c.query('commit');
    return { companyId, widgetKey: `pk_test_${id.slice(0, 8)}`, admin, agent, visitorId: conversation.visitorId, conversationId: conversation.conversationId, firstMessageId: conversation.messageIds[0]! };
  } catch (e) {
    await c.query('rollback');
    throw e;
  } finally {
    await c.end();
  }
}

export async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = await db('supabase_admin');
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}
