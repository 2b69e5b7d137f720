// The catcher's email-sending API in Resend's shape (reference §10): `POST /emails` with a bearer key, the
// `Idempotency-Key` header honoured for 24 hours (same key and body: the first answer, no second mail; same key,
// other body: 409), Resend's error bodies; and Mailpit's chaos switch, so tests can make sending fail.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ApiMail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  replyTo: string[];
}

interface Remembered { hash: string; status: number; body: unknown; at: number }

const DAY = 24 * 60 * 60 * 1000;
const MAX_BODY = 1024 * 1024;

const list = (v: unknown): string[] | null =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : v === undefined ? [] : null;

export function createResendApi(deliver: (mail: ApiMail) => string) {
  const keys = new Map<string, Remembered>();
  /** Mailpit's chaos triggers; `Sender.ErrorCode` fails every send with that status while set. */
  let chaos: { Sender?: { ErrorCode: number; Probability: number } } = {};

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const end = (res: ServerResponse, status: number, body: unknown) => {
    reply(res, status, body);
    return true;
  };
  const error = (status: number, name: string, message: string) => ({ statusCode: status, name, message });

  async function readBody(req: IncomingMessage): Promise<string | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) return null;
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  function validate(raw: string): ApiMail | string {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(raw);
    } catch {
      return 'Invalid JSON body';
    }
    if (typeof b !== 'object' || b === null) return 'Invalid body';
    const to = list(b.to);
    const replyTo = list(b.reply_to);
    if (typeof b.from !== 'string' || !b.from) return 'Missing `from` field.';
    if (!to?.length || to.length > 50) return 'The `to` field must be 1 to 50 addresses.';
    if (!replyTo) return 'The `reply_to` field must be a string or an array of strings.';
    if (typeof b.subject !== 'string' || !b.subject) return 'Missing `subject` field.';
    if (typeof b.html !== 'string' && typeof b.text !== 'string') return 'Missing `html` or `text` field.';
    return { from: b.from, to, subject: b.subject, html: typeof b.html === 'string' ? b.html : '', text: typeof b.text === 'string' ? b.text : '', replyTo };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (pathname === '/api/v1/chaos' && (req.method === 'GET' || req.method === 'PUT')) {
      if (req.method === 'PUT') chaos = JSON.parse((await readBody(req)) || '{}');
      return end(res, 200, chaos);
    }
    if (pathname !== '/emails') return false;
    if (req.method !== 'POST') return end(res, 405, error(405, 'method_not_allowed', 'Method is not allowed.'));
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer \S+/.test(auth)) return end(res, 401, error(401, 'missing_api_key', 'Missing API key in the authorization header'));
    const raw = await readBody(req);
    if (raw === null) return end(res, 413, error(413, 'validation_error', 'Body too large'));
    const trigger = chaos.Sender;
    if (trigger && Math.random() * 100 < trigger.Probability) {
      return end(res, trigger.ErrorCode, error(trigger.ErrorCode, 'application_error', 'Chaos: sending refused'));
    }
    const mail = validate(raw);
    if (typeof mail === 'string') return end(res, 422, error(422, 'validation_error', mail));
    const key = req.headers['idempotency-key'];
    const hash = createHash('sha256').update(raw).digest('hex');
    const now = Date.now();
    for (const [k, v] of keys) if (now - v.at > DAY) keys.delete(k);
    if (typeof key === 'string' && key) {
      if (key.length > 256) return end(res, 400, error(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.'));
      const seen = keys.get(key);
      if (seen && seen.hash !== hash) {
        return end(res, 409, error(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'));
      }
      if (seen) return end(res, seen.status, seen.body);
    }
    const body = { id: deliver(mail) };
    if (typeof key === 'string' && key) keys.set(key, { hash, status: 200, body, at: now });
    reply(res, 200, body);
    return true;
  }
  return { handle };
}
