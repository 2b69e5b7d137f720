// A fake Graph API: a test double for Meta's servers, which cannot exist on this machine. It answers the calls
// Porchlight makes (GET a page, GET a profile, POST /<page>/messages with text or a file by URL, which it fetches
// as Meta does) from its own small state, records every Send API call, can be told to fail the next sends, and
// signs and posts webhooks "as a Messenger user" to a local meta-webhook. `npm start` runs it on port 54340; tests start their own on a free port.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeGraphPage } from './page.ts';

export interface FakePage {
  id: string;
  name: string;
  token: string;
  instagramId?: string;
}
export interface FakeUser {
  id: string;
  name: string;
  profilePic: string;
}
export interface SendCall {
  pageId: string;
  recipientId: string;
  text: string;
  /** A file message: its type, and what fetching its URL gave (as Meta fetches it when it accepts the message). */
  attachment?: { type: string; fetched: number; contentType: string | null; bytes: number };
  at: string;
  answered: number;
}
interface Failure {
  status: number;
  message: string;
  code: number;
}

export const DEMO_PAGE: FakePage = { id: '1000000001', name: 'Acme Support', token: 'fake-page-token', instagramId: '1700000001' };
export const DEMO_USER: FakeUser = { id: '2000000001', name: 'Mia Messenger', profilePic: 'https://example.com/mia.png' };

export interface FakeGraph {
  url: string;
  /** The Graph base URL to give the functions as GRAPH_API_URL. */
  apiUrl: string;
  stop(): Promise<void>;
}

/** Fetches a file message's URL as Meta would: the status, type and size it got. */
async function fetchFile(type: string, url: unknown): Promise<NonNullable<SendCall['attachment']>> {
  try {
    const res = await fetch(String(url), { signal: AbortSignal.timeout(10_000) });
    const bytes = res.ok ? (await res.arrayBuffer()).byteLength : 0;
    return { type, fetched: res.status, contentType: res.headers.get('content-type'), bytes };
  } catch {
    return { type, fetched: 0, contentType: null, bytes: 0 };
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
      if (s.length > 1_000_000) req.destroy();
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

const graphError = (message: string, code: number, type = 'OAuthException') => ({ error: { message, type, code, fbtrace_id: 'fake' } });

/** Signs a webhook payload the way Meta does and posts it; returns the webhook's answer. */
export async function postWebhook(webhookUrl: string, appSecret: string, payload: unknown, signature?: string) {
  const raw = JSON.stringify(payload);
  const sig = signature ?? `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
  const res = await fetch(webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body: raw });
  return { status: res.status, body: await res.text() };
}

/** A user's message as Meta posts it; `files` are attachments by URL (the fake's /_fake/files/<name>, its "CDN"). */
export function messagePayload(o: { object: 'page' | 'instagram'; accountId: string; senderId: string; text?: string; mid?: string; files?: { type: string; url: string }[] }) {
  const now = Date.now();
  const attachments = o.files?.map((f) => ({ type: f.type, payload: { url: f.url } }));
  return {
    object: o.object,
    entry: [
      {
        id: o.accountId,
        time: now,
        messaging: [{ sender: { id: o.senderId }, recipient: { id: o.accountId }, timestamp: now, message: { mid: o.mid ?? `m_${now}_${Math.random().toString(36).slice(2)}`, ...(o.text === undefined ? {} : { text: o.text }), ...(attachments ? { attachments } : {}) } }],
      },
    ],
  };
}

export function receiptPayload(o: { object: 'page' | 'instagram'; accountId: string; senderId: string; kind: 'read' | 'delivery'; watermark?: number }) {
  const watermark = o.watermark ?? Date.now();
  return {
    object: o.object,
    entry: [{ id: o.accountId, time: watermark, messaging: [{ sender: { id: o.senderId }, recipient: { id: o.accountId }, timestamp: watermark, [o.kind]: { watermark } }] }],
  };
}

export async function startFakeGraph(opts: { port?: number; host?: string } = {}): Promise<FakeGraph> {
  const pages = new Map<string, FakePage>([[DEMO_PAGE.id, DEMO_PAGE]]);
  const users = new Map<string, FakeUser>([[DEMO_USER.id, DEMO_USER]]);
  const calls: SendCall[] = [];
  const failures: (Failure | null)[] = [];
  /** Files users "attach", served at /_fake/files/<name> as Meta's CDN serves attachment URLs. */
  const files = new Map<string, { contentType: string; bytes: Buffer }>();
  let sent = 0;

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://fake');
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token') ?? '';
      const parts = url.pathname.split('/').filter(Boolean);
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, fakeGraphPage(), 'text/html; charset=utf-8');
      if (req.method === 'GET' && parts[0] === '_fake' && parts[1] === 'files' && parts[2]) {
        const file = files.get(decodeURIComponent(parts[2]));
        if (!file) return send(res, 404, { error: 'no such file' });
        res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.bytes.length) });
        return res.end(file.bytes);
      }
      if (parts[0] === '_fake') {
        const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
        switch (`${req.method} ${parts[1]}`) {
          case 'GET calls':
            return send(res, 200, { calls });
          case 'POST reset':
            calls.length = 0;
            failures.length = 0;
            return send(res, 200, { ok: true });
          case 'POST fail':
            // `after`: that many sends pass first (a failure part-way through a reply's text and files).
            for (let i = 0; i < (body.after ?? 0); i++) failures.push(null);
            for (let i = 0; i < (body.count ?? 1); i++) failures.push({ status: body.status ?? 500, message: body.message ?? 'An unexpected error has occurred.', code: body.code ?? 2 });
            return send(res, 200, { queued: failures.length });
          case 'POST files':
            files.set(body.name, { contentType: body.contentType, bytes: Buffer.from(body.base64, 'base64') });
            return send(res, 200, { url: `http://${req.headers.host}/_fake/files/${encodeURIComponent(body.name)}` });
          case 'POST pages':
            pages.set(body.id, body);
            return send(res, 200, { ok: true });
          case 'POST users':
            users.set(body.id, body);
            return send(res, 200, { ok: true });
          case 'POST message':
            return send(res, 200, await postWebhook(body.webhookUrl, body.appSecret, messagePayload(body)));
          case 'POST receipt':
            return send(res, 200, await postWebhook(body.webhookUrl, body.appSecret, receiptPayload(body)));
        }
        return send(res, 404, { error: 'unknown fake endpoint' });
      }
      // /v21.0/<id> and /v21.0/<page>/messages
      const [, id, edge] = parts;
      const page = [...pages.values()].find((p) => p.token === token);
      if (!page) return send(res, 400, graphError('Invalid OAuth access token - Cannot parse access token', 190));
      if (req.method === 'POST' && edge === 'messages' && id === page.id) {
        const body = JSON.parse((await readBody(req)) || '{}');
        const failure = failures.shift();
        const file = body.message?.attachment;
        // A failure told to happen answers before Meta would fetch anything.
        const attachment = file ? (failure ? { type: String(file.type), fetched: 0, contentType: null, bytes: 0 } : await fetchFile(file.type, file.payload?.url)) : undefined;
        const unfetchable = !failure && attachment && attachment.fetched !== 200;
        const answered = failure?.status ?? (unfetchable ? 400 : 200);
        calls.push({ pageId: page.id, recipientId: body.recipient?.id, text: body.message?.text, ...(attachment ? { attachment } : {}), at: new Date().toISOString(), answered });
        if (failure) return send(res, failure.status, graphError(failure.message, failure.code));
        if (unfetchable) return send(res, 400, graphError('(#100) Failed to fetch the file from the url', 100));
        sent += 1;
        return send(res, 200, { recipient_id: body.recipient?.id, message_id: `m_out_${sent}_${Date.now()}` });
      }
      if (req.method === 'GET' && !edge && id === page.id) {
        return send(res, 200, { id: page.id, name: page.name, ...(page.instagramId ? { instagram_business_account: { id: page.instagramId } } : {}) });
      }
      const user = id ? users.get(id) : undefined;
      if (req.method === 'GET' && !edge && user) {
        const [first, ...rest] = user.name.split(' ');
        return send(res, 200, { id: user.id, name: user.name, first_name: first, last_name: rest.join(' '), username: user.name.toLowerCase().replace(/\s+/g, '.'), profile_pic: user.profilePic });
      }
      return send(res, 400, graphError(`Unsupported request: object with ID '${id}' does not exist`, 100, 'GraphMethodException'));
    } catch (e) {
      send(res, 400, graphError(`Fake Graph API: ${(e as Error).message}`, 100));
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}/v21.0`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
