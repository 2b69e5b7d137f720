// Test factories shared by every suite and the benchmarks: a company with its widget, a user (a login through
// Auth, or a bare auth.users row), a member (admin or agent), and a visitor with a conversation and messages.
// They write through any pg connection with table rights (`postgres` or the superuser), inside the caller's
// transaction when it has one; the ids are new each time, so tests sharing one stack never meet.
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';

type Db = Pick<pg.Client, 'query'>;

export interface CompanyOptions {
  id?: string;
  name?: string;
  enabled?: boolean;
  /** The widget's key; default `pk_test_` and 20 characters of the company id. */
  widgetKey?: string;
  /** More widget_configs columns (allowed_origins, enabled, prechat_name, greeting, …); `false`: no widget at all. */
  widget?: Record<string, unknown> | false;
}

export interface Company {
  companyId: string;
  /** null when created without a widget. */
  widgetKey: string | null;
}

/** A company, and its widget unless `widget: false`. */
export async function createCompany(db: Db, o: CompanyOptions = {}): Promise<Company> {
  const companyId = o.id ?? randomUUID();
  await db.query('insert into public.companies (id, name, enabled) values ($1, $2, $3)', [companyId, o.name ?? 'Test company', o.enabled ?? true]);
  if (o.widget === false) return { companyId, widgetKey: null };
  const widgetKey = o.widgetKey ?? `pk_test_${companyId.replace(/-/g, '').slice(0, 20)}`;
  const columns = Object.keys(o.widget ?? {});
  await db.query(
    `insert into public.widget_configs (company_id, widget_key${columns.map((c) => `, ${c}`).join('')})
     values ($1, $2${columns.map((_, i) => `, $${i + 3}`).join('')})`,
    [companyId, widgetKey, ...Object.values(o.widget ?? {})],
  );
  return { companyId, widgetKey };
}

/**
 * A bare auth.users row, no password: a visitor's anonymous account (`anonymous`) or a member whose requests the
 * test makes as SQL claims. Tests that sign in through Auth use createLogin.
 */
export async function createAuthUser(db: Db, o: { id?: string; email?: string | null; anonymous?: boolean } = {}): Promise<string> {
  const id = o.id ?? randomUUID();
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '{}', '{}', now(), now(), $3)`,
    [id, o.email ?? null, o.anonymous ?? false],
  );
  return id;
}

export interface Login {
  id: string;
  email: string;
  password: string;
}

/** A confirmed email + password user made through Auth's admin API (as the dashboard's invitations end). */
export async function createLogin(service: Pick<SupabaseClient<any, any, any>, 'auth'>, email: string, password = 'test-password-1'): Promise<Login> {
  const { data, error } = await service.auth.admin.createUser({ email, password, email_confirm: true });
  if (error || !data.user) throw new Error(`createUser: ${error?.message}`);
  return { id: data.user.id, email, password };
}

/** Makes a user an admin or agent of a company. */
export async function addMember(db: Db, companyId: string, userId: string, role: 'admin' | 'agent', displayName = role === 'admin' ? 'Admin' : 'Agent') {
  await db.query('insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, $3, $4)', [companyId, userId, role, displayName]);
}

export interface MessageSpec {
  id?: string;
  senderKind: 'visitor' | 'agent' | 'bot' | 'system';
  authorId?: string | null;
  body: string;
}

export interface Conversation {
  visitorId: string;
  conversationId: string;
  /** The ids of `messages`, in order. */
  messageIds: string[];
}

/** A visitor (of the auth user `userId`) with an open conversation holding `messages`, stored in order. */
export async function createConversation(
  db: Db,
  o: { companyId: string; userId: string; visitorId?: string; conversationId?: string; name?: string | null; email?: string | null; messages?: MessageSpec[] },
): Promise<Conversation> {
  const visitorId = o.visitorId ?? randomUUID();
  const conversationId = o.conversationId ?? randomUUID();
  await db.query('insert into public.visitors (id, company_id, user_id, name, email) values ($1, $2, $3, $4, $5)', [visitorId, o.companyId, o.userId, o.name ?? null, o.email ?? null]);
  await db.query('insert into public.conversations (id, company_id, visitor_id) values ($1, $2, $3)', [conversationId, o.companyId, visitorId]);
  const messageIds: string[] = [];
  for (const m of o.messages ?? []) {
    const id = m.id ?? randomUUID();
    await db.query('insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, $3, $4, $5, $6)', [
      id,
      conversationId,
      o.companyId,
      m.senderKind,
      m.authorId ?? null,
      m.body,
    ]);
    messageIds.push(id);
  }
  return { visitorId, conversationId, messageIds };
}
