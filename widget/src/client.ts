// The widget's way in (made by the launcher, shared with the panel): Supabase Auth's public API for the anonymous visitor session (auth-js is too big for the
// widget's budget, so two documented endpoints are called directly), and the widget Edge Functions.
import { type Options, storageKey } from './shared.ts';
import type { ChatMessage } from './text.ts';

export interface Session {
  access_token: string;
  refresh_token: string;
  expires_at: number;
  user: { id: string };
}

/** A request that hangs (a half-open connection, a stuck server) is given up and retried under the same id. */
const REQUEST_TIMEOUT_MS = 15_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** An error answer from Auth or a function (the panel and the launcher are separate bundles: no instanceof). */
export const isHttpError = (e: unknown): e is HttpError => e instanceof Error && typeof (e as HttpError).status === 'number';

/** Retry-After in seconds, when given as seconds. */
const retryAfter = (res: Response) => Number(res.headers.get('retry-after')) || null;

export class WidgetClient {
  private refreshing: Promise<Session> | null = null;
  constructor(readonly o: Options) {}

  private get sessionKey() {
    return storageKey(this.o.widgetKey, 'auth');
  }

  stored(): Session | null {
    try {
      return JSON.parse(localStorage.getItem(this.sessionKey) ?? 'null');
    } catch {
      return null;
    }
  }

  private save(s: Session) {
    localStorage.setItem(this.sessionKey, JSON.stringify({ access_token: s.access_token, refresh_token: s.refresh_token, expires_at: s.expires_at, user: { id: s.user.id } }));
  }

  private async auth(path: string, body: unknown): Promise<Session> {
    const res = await fetch(`${this.o.supabaseUrl}/auth/v1${path}`, {
      method: 'POST',
      headers: { apikey: this.o.anonKey, Authorization: `Bearer ${this.o.anonKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) {
      // GoTrue's error body: { code, error_code, msg }; 429 `over_request_rate_limit` caps sign-ins per address.
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      throw new HttpError(res.status, String(body.error_code ?? 'auth_failed'), String(body.msg ?? 'sign-in failed'), retryAfter(res), body);
    }
    const s = (await res.json()) as Session;
    this.save(s);
    return s;
  }

  /**
   * A valid session: the stored one, refreshed near expiry (shared by tabs through localStorage), or a new
   * anonymous one unless `mayStart` is false (a look for unread replies never makes a new visitor).
   */
  async session(mayStart = true): Promise<Session> {
    const s = this.stored();
    if (s && s.expires_at * 1000 - Date.now() > 60_000) return s;
    if (!s && !mayStart) throw new Error('no session');
    this.refreshing ??= (async () => {
      try {
        if (s) {
          try {
            return await this.auth('/token?grant_type=refresh_token', { refresh_token: s.refresh_token });
          } catch (err) {
            // Another tab may have rotated it already: take what it stored.
            const other = this.stored();
            if (other && other.refresh_token !== s.refresh_token) return other;
            // Only a refused refresh token calls for a new visitor; busy (429), down or offline is retried later.
            if (!isHttpError(err) || err.status >= 500 || err.status === 429 || !mayStart) throw err;
          }
        }
        return await this.auth('/signup', {});
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** Refreshes the session shortly before it expires, even while idle, and reports each fresh token. */
  keepFresh(onFresh: (s: Session) => void) {
    const s = this.stored();
    const wait = s ? Math.max(5_000, s.expires_at * 1000 - Date.now() - 55_000) : 5_000;
    setTimeout(() => {
      this.session().then(onFresh, () => undefined).finally(() => this.keepFresh(onFresh));
    }, Math.min(wait, 2 ** 31 - 1));
  }

  async call<T>(fn: string, init: { method?: string; body?: unknown; query?: Record<string, string> } = {}): Promise<{ status: number; data: T }> {
    const s = await this.session();
    const url = new URL(`${this.o.supabaseUrl}/functions/v1/${fn}`);
    url.searchParams.set('key', this.o.widgetKey);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { apikey: this.o.anonKey, Authorization: `Bearer ${s.access_token}`, 'Content-Type': 'application/json' },
      body: init.body ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      throw new HttpError(res.status, String(data.code ?? 'error'), String(data.message ?? res.statusText), retryAfter(res), data);
    }
    return { status: res.status, data: data as T };
  }

  startSession(body: Record<string, unknown>) {
    return this.call<{ conversation: { id: string }; visitor: { id: string; name: string | null }; messages: ChatMessage[] }>('widget-session', { body });
  }

  send(conversationId: string, id: string, body: string, files?: { id: string }[]) {
    const attachments = files?.length ? { attachments: files.map((f) => f.id) } : {};
    return this.call<{ message: ChatMessage }>('widget-messages', { body: { conversationId, id, body, page: { url: location.href }, ...attachments } });
  }

  history(conversationId: string, after?: string) {
    return this.call<{ messages: ChatMessage[]; hasMore: boolean; agentRead?: { messageId: string } | null; status?: string; statusAt?: string }>('widget-messages', { query: after ? { conversationId, after } : { conversationId } });
  }
}
