// What every widget function does first: find the widget by its public key, check the page's origin against
// the widget's allow-list (CORS answers only allowed origins), and for the visitor calls verify the JWT.
import { createClient, type SupabaseClient, type User } from '@supabase/supabase-js';
import { HttpError } from './http.ts';
import { widgetKey as widgetKeySchema } from './schemas.ts';

declare const Deno: { env: { get(name: string): string | undefined } };

export interface Widget {
  company_id: string;
  widget_key: string;
  enabled: boolean;
  title: string;
  greeting: string;
  launcher_label: string;
  primary_color: string;
  accent_color: string;
  position: string;
  auto_open_after_seconds: number | null;
  locale: string;
  prechat_name: 'off' | 'optional' | 'required';
  prechat_email: 'off' | 'optional' | 'required';
  prechat_phone: 'off' | 'optional' | 'required';
  allowed_origins: string[];
  companies: { name: string; enabled: boolean } | null;
}

let admin: SupabaseClient | null = null;
/** Service-role client: used only after the origin and the visitor's JWT have been checked. */
export function adminClient(): SupabaseClient {
  admin ??= createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  return admin;
}

export async function findWidget(key: string | null): Promise<Widget> {
  const parsed = widgetKeySchema.safeParse(key ?? '');
  if (!parsed.success) throw new HttpError(400, 'invalid_request', 'The widget key is missing or malformed (expected ?key=pk_…).');
  const { data, error } = await adminClient()
    .from('widget_configs')
    .select('*, companies(name, enabled)')
    .eq('widget_key', parsed.data)
    .maybeSingle();
  if (error) throw new Error(`widget lookup failed: ${error.message}`);
  const widget = data as Widget | null;
  if (!widget?.enabled || !widget.companies?.enabled) {
    throw new HttpError(404, 'widget_not_found', 'This chat widget does not exist or is switched off.');
  }
  return widget;
}

export function originAllowed(widget: Widget, origin: string | null): origin is string {
  return Boolean(origin && widget.allowed_origins.includes(origin));
}

/** CORS headers for an allowed origin (none otherwise, so the browser blocks the response). */
export function corsHeaders(origin: string | null, allowed: boolean): Record<string, string> {
  if (!allowed || !origin) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Expose-Headers': 'Retry-After',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

export function requireOrigin(widget: Widget, origin: string | null): void {
  if (!originAllowed(widget, origin)) {
    throw new HttpError(403, 'origin_not_allowed', 'This website is not allowed to use this chat widget.');
  }
}

/** The visitor behind the request's JWT (an anonymous or signed-in auth user). */
export async function requireVisitor(req: Request): Promise<User> {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!token) throw new HttpError(401, 'unauthorized', 'Sign in first: the request has no access token.');
  const { data, error } = await adminClient().auth.getUser(token);
  if (error || !data.user) throw new HttpError(401, 'unauthorized', 'The access token is invalid or expired.');
  return data.user;
}

/** Rate limit: throws 429 with Retry-After when `max` actions already happened in the window. */
export async function rateLimit(bucket: string, max: number, windowSeconds: number, what: string): Promise<void> {
  const { data, error } = await adminClient().rpc('widget_rate_limit', { p_bucket: bucket, p_max: max, p_window_seconds: windowSeconds });
  if (error) throw new Error(`rate limit check failed: ${error.message}`);
  const retryAfter = Number(data);
  if (retryAfter > 0) {
    throw new HttpError(429, 'rate_limited', `Too many ${what}. Please wait ${retryAfter} seconds.`, { retryAfter }, { 'Retry-After': String(retryAfter) });
  }
}

export function envNumber(name: string, fallback: number): number {
  const v = Number(Deno.env.get(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Message row (snake_case, as Realtime broadcasts it) → the API's camelCase shape. */
export function toMessage(row: Record<string, unknown>) {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderKind: row.sender_kind,
    authorName: row.author_name ?? null,
    body: row.body,
    createdAt: new Date(String(row.created_at)).toISOString(),
  };
}
