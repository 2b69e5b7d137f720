// What every widget function does first: find the widget by its public key, check the page's origin against
// the widget's allow-list (CORS answers only allowed origins), and for the visitor calls verify the JWT.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { HttpError } from './http.ts';
import { widgetKey as widgetKeySchema } from './schemas.ts';
import { utcMicros } from './time.ts';
import { type CacheHit, WidgetCache } from './widget-cache.ts';
import type { WidgetConfigRow } from './widget-row.ts';

declare const Deno: { env: { get(name: string): string | undefined } };

/** The widget's row with its company's name and switch, as findWidget reads it. */
export interface Widget extends WidgetConfigRow {
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

// Widgets change rarely and every visitor call needs one: keep them for a few seconds per function instance
// (bounded, unknown keys apart: widget-cache.ts). widget-config reads fresh (`fresh: true`, one query per page
// view) so saved settings show on the next reload. The database is the truth either way: the widget RPCs check
// key, switches and origin again in their own transaction, so a widget switched off within the TTL is refused there.
const WIDGET_TTL_MS = 5_000;
const cache = new WidgetCache<Widget>(WIDGET_TTL_MS);
const loading = new Map<string, Promise<CacheHit<Widget>>>();

async function loadWidget(key: string): Promise<CacheHit<Widget>> {
  const { data, error } = await adminClient().from('widget_configs').select('*, companies(name, enabled)').eq('widget_key', key).maybeSingle();
  if (error) throw new Error(`widget lookup failed: ${error.message}`);
  return cache.set(key, data as Widget | null);
}

/**
 * One answer for an unknown key, a widget or company switched off, and an origin the widget does not allow:
 * same status, code, body and headers, so nobody can tell which widget keys exist (docs/widget-api.md).
 */
export function widgetUnavailable(): HttpError {
  return new HttpError(404, 'widget_not_found', 'This chat widget does not exist, is switched off, or is not allowed on this website.');
}

export async function findWidget(key: string | null, { fresh = false }: { fresh?: boolean } = {}): Promise<Widget> {
  const parsed = widgetKeySchema.safeParse(key ?? '');
  if (!parsed.success) throw new HttpError(400, 'invalid_request', 'The widget key is missing or malformed (expected ?key=pk_…).');
  let hit = fresh ? await loadWidget(parsed.data) : cache.get(parsed.data);
  if (!hit) {
    // Requests that miss together share one lookup (no stampede on the database).
    let pending = loading.get(parsed.data);
    if (!pending) {
      pending = loadWidget(parsed.data).finally(() => loading.delete(parsed.data));
      loading.set(parsed.data, pending);
    }
    hit = await pending;
  }
  const widget = hit.value;
  if (!widget?.enabled || !widget.companies?.enabled) throw widgetUnavailable();
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
    // Chromium keeps a preflight at most 2 hours: one OPTIONS (an invocation) per visitor per 2 h, not per page.
    'Access-Control-Max-Age': '7200',
    Vary: 'Origin',
  };
}

export function requireOrigin(widget: Widget, origin: string | null): void {
  if (!originAllowed(widget, origin)) throw widgetUnavailable();
}

export interface Visitor {
  id: string;
  isAnonymous: boolean;
}

/**
 * The visitor behind the request's JWT. The platform has already verified the signature and expiry
 * (these functions run with verify_jwt = true, see supabase/config.toml), so the claims are read, not
 * re-fetched: no extra round trip to Auth on the message path.
 */
export function requireVisitor(req: Request): Visitor {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!token) throw new HttpError(401, 'unauthorized', 'Sign in first: the request has no access token.');
  let claims: { sub?: unknown; role?: unknown; exp?: unknown; is_anonymous?: unknown };
  try {
    const part = token.split('.')[1] ?? '';
    claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')));
  } catch {
    throw new HttpError(401, 'unauthorized', 'The access token is invalid or expired.');
  }
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (claims.role !== 'authenticated' || typeof claims.sub !== 'string' || !uuid.test(claims.sub) || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
    throw new HttpError(401, 'unauthorized', 'The access token is invalid or expired.');
  }
  return { id: claims.sub, isAnonymous: claims.is_anonymous === true };
}

export function rateLimited(retryAfter: number): HttpError {
  return new HttpError(429, 'rate_limited', `Too many requests. Please wait ${retryAfter} seconds.`, { retryAfter }, { 'Retry-After': String(retryAfter) });
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
    createdAt: utcMicros(String(row.created_at)),
  };
}
