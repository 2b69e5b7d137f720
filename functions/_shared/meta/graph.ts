// The Graph API calls Porchlight makes: read a page (connection test), a sender's profile, and the Send API (text
// and files).
// The base URL is the GRAPH_API_URL function secret (default Meta's v21.0), so a test double can stand in.

declare const Deno: { env: { get(name: string): string | undefined } };

export function graphBase(): string {
  return (Deno.env.get('GRAPH_API_URL') ?? 'https://graph.facebook.com/v21.0').replace(/\/+$/, '');
}

export interface GraphResult<T> {
  ok: boolean;
  status: number;
  data?: T;
  /** The platform's reason (error.message) or a network failure's. */
  error?: string;
  /** A failure worth retrying: network, 5xx, rate limits. */
  transient?: boolean;
}

async function call<T>(path: string, token: string, init: RequestInit = {}): Promise<GraphResult<T>> {
  let res: Response;
  try {
    res = await fetch(`${graphBase()}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    return { ok: false, status: 0, error: `Graph API unreachable: ${(e as Error).message}`.slice(0, 500), transient: true };
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string; code?: number } } & T;
  if (res.ok) return { ok: true, status: res.status, data: body };
  const transient = res.status >= 500 || res.status === 429 || body.error?.code === 4 || body.error?.code === 613;
  return { ok: false, status: res.status, error: (body.error?.message ?? `Graph API answered ${res.status}`).slice(0, 500), transient };
}

export function getPage(pageId: string, token: string) {
  return call<{ id: string; name?: string; instagram_business_account?: { id: string } }>(
    `/${encodeURIComponent(pageId)}?fields=id,name,instagram_business_account`,
    token,
  );
}

export function getProfile(userId: string, token: string, platform: 'facebook' | 'instagram') {
  const fields = platform === 'instagram' ? 'name,username,profile_pic' : 'first_name,last_name,name,profile_pic';
  return call<{ name?: string; first_name?: string; last_name?: string; username?: string; profile_pic?: string }>(
    `/${encodeURIComponent(userId)}?fields=${fields}`,
    token,
  );
}

export function sendText(pageId: string, token: string, recipientId: string, text: string) {
  return call<{ recipient_id?: string; message_id?: string }>(`/${encodeURIComponent(pageId)}/messages`, token, {
    method: 'POST',
    body: JSON.stringify({ recipient: { id: recipientId }, messaging_type: 'RESPONSE', message: { text } }),
  });
}

/** A file as a message: Meta fetches it from `url` (a signed link to the attachments bucket) when it accepts it. */
export function sendAttachment(pageId: string, token: string, recipientId: string, type: 'image' | 'audio' | 'video' | 'file', url: string) {
  return call<{ recipient_id?: string; message_id?: string }>(`/${encodeURIComponent(pageId)}/messages`, token, {
    method: 'POST',
    body: JSON.stringify({ recipient: { id: recipientId }, messaging_type: 'RESPONSE', message: { attachment: { type, payload: { url, is_reusable: false } } } }),
  });
}
