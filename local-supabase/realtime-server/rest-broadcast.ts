// POST /api/broadcast (a batch of messages) and /api/broadcast/<topic>/events/<event> (one payload), as
// supabase-js' httpSend and server-side senders use them; private topics need the policies' write grant.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../context.ts';
import type { Claims } from '../jwt.ts';
import { checkWrite } from './authorization.ts';
import { fanOut, safeParse } from './fan-out.ts';
import { type Hub, internal } from './hub.ts';

async function restClaims(hub: Hub, req: IncomingMessage): Promise<Claims | null> {
  const auth = req.headers.authorization;
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  const token = m?.[1] ?? (typeof req.headers.apikey === 'string' ? req.headers.apikey : null);
  if (!token) return null;
  try {
    return await hub.verify(token);
  } catch {
    return null;
  }
}

export async function restBroadcast(hub: Hub, req: IncomingMessage, res: ServerResponse, path: string, url: URL) {
  const claims = await restClaims(hub, req);
  if (!claims) return sendJson(res, 401, { message: 'Unauthorized' });
  const raw = await readBody(req, 8 * 1024 * 1024);
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
  if (single) {
    const sub = decodeURIComponent(single[1]!).replace(/^realtime:/, '');
    const event = decodeURIComponent(single[2]!);
    const isPrivate = url.searchParams.get('private') === 'true';
    const json = !String(req.headers['content-type'] ?? 'application/json').includes('octet-stream');
    if (json && raw.length && safeParse(raw) === null && raw.toString().trim() !== 'null') return sendJson(res, 422, { error: 'payload must be JSON' });
    if (!isPrivate || claims.role === 'service_role' || (await checkWrite(hub.pool, claims, sub, 'broadcast')) === true) {
      fanOut(hub, internal(isPrivate, sub), event, json ? { json: true, value: undefined, raw } : { json: false, raw }, {});
    }
    res.writeHead(202).end();
    return;
  }
  if (path !== '/api/broadcast') return sendJson(res, 404, { message: 'Not found' });
  let body: any;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return sendJson(res, 422, { errors: { messages: ['is invalid'] } });
  }
  const messages = body?.messages;
  if (!Array.isArray(messages)) return sendJson(res, 422, { errors: { messages: ["can't be blank"] } });
  for (const [i, m] of messages.entries()) {
    if (!m || typeof m.topic !== 'string' || !m.topic || typeof m.event !== 'string' || !m.payload || typeof m.payload !== 'object') {
      return sendJson(res, 422, { errors: { messages: [{ index: i, message: 'topic, event and payload (an object) are required' }] } });
    }
  }
  for (const m of messages) {
    const sub = String(m.topic).replace(/^realtime:/, '');
    const isPrivate = m.private === true;
    if (isPrivate && claims.role !== 'service_role' && (await checkWrite(hub.pool, claims, sub, 'broadcast')) !== true) continue;
    fanOut(hub, internal(isPrivate, sub), m.event, { json: true, value: m.payload }, { textFrame: true, meta: m.id ? { id: m.id } : undefined });
  }
  res.writeHead(202).end();
}
