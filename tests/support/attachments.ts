// Helpers for attachment tests: a visitor with a conversation, the widget-attachments grant, the upload through
// storage-js to the signed URL, and sample files whose bytes are what they claim (or not).
import { randomUUID } from 'node:crypto';
import { client, stack } from './stack.ts';

export const ORIGIN = 'http://127.0.0.1:3001';
export const KEY = 'pk_demo_acme';
export const GLOBEX_ORIGIN = 'http://127.0.0.1:3002';
export const GLOBEX_KEY = 'pk_demo_globex';

export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e0d3b1a40000000049454e44ae426082',
  'hex',
);
export const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64, 0x11), Buffer.from('ffd9', 'hex')]);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
export const TEXT = Buffer.from('order #1234\nit arrived broken\n');
export const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export async function callFunction(
  fn: string,
  opts: { token: string; body?: unknown; rawBody?: string; method?: string; key?: string; origin?: string; query?: Record<string, string> },
): Promise<Reply> {
  const url = new URL(`${stack().apiUrl}/functions/v1/${fn}`);
  for (const [k, v] of Object.entries({ key: opts.key ?? KEY, ...opts.query })) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: opts.method ?? (opts.body !== undefined || opts.rawBody !== undefined ? 'POST' : 'GET'),
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Origin: opts.origin ?? ORIGIN, Authorization: `Bearer ${opts.token}` },
    body: opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

export interface TestVisitor {
  token: string;
  userId: string;
  conversationId: string;
  supabase: ReturnType<typeof client>;
}

/** An anonymous visitor with an open conversation with the widget (Acme by default). */
export async function visitorWithConversation(key = KEY, origin = ORIGIN): Promise<TestVisitor> {
  const supabase = client();
  const { data, error } = await supabase.auth.signInAnonymously();
  if (error) throw error;
  const token = data.session!.access_token;
  const res = await callFunction('widget-session', { token, key, origin, body: { name: 'Fay Files' } });
  if (res.status >= 300) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
  return { token, userId: data.user!.id, conversationId: res.body.conversation.id, supabase };
}

export function grant(v: TestVisitor, file: { name?: string; contentType: string; size: number; thumbnail?: { size: number } }, extra: Record<string, unknown> = {}) {
  return callFunction('widget-attachments', {
    token: v.token,
    body: { conversationId: v.conversationId, id: randomUUID(), name: file.name ?? 'file', contentType: file.contentType, size: file.size, thumbnail: file.thumbnail, ...extra },
  });
}

/** Uploads bytes to a signed upload URL the way the official storage-js does. */
export async function uploadSigned(v: TestVisitor, upload: { path: string; token: string }, bytes: Buffer, contentType: string) {
  return v.supabase.storage.from('attachments').uploadToSignedUrl(upload.path, upload.token, new Blob([new Uint8Array(bytes)], { type: contentType }), { contentType });
}

export function send(v: TestVisitor, body: string, attachments: string[], id: string = randomUUID()) {
  return callFunction('widget-messages', { token: v.token, body: { conversationId: v.conversationId, id, body, attachments } });
}

/** Grant, upload and send one file; returns the grant, the upload and the send. */
export async function sendFile(v: TestVisitor, bytes: Buffer, contentType: string, name = 'file', body = '') {
  const g = await grant(v, { name, contentType, size: bytes.length });
  if (g.status !== 201) throw new Error(`grant: ${g.status} ${JSON.stringify(g.body)}`);
  const up = await uploadSigned(v, g.body.upload, bytes, contentType);
  if (up.error) throw up.error;
  return { grant: g, sent: await send(v, body, [g.body.attachment.id]) };
}
