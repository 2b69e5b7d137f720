// The local mail catcher (what Inbucket/Mailpit is to `supabase start`): Auth's mails and mails sent through its
// Resend-style `POST /emails` land here, listed at an HTTP page and a Mailpit-style JSON API.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createResendApi } from './resend-api.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Set by the sending API; Auth's mails come from FROM. */
  from?: string;
  replyTo?: string[];
}

export interface CaughtMail extends OutgoingMail {
  id: string;
  from: string;
  replyTo: string[];
  created: Date;
}

/** Where the stand-in's services send mail. */
export interface MailSink {
  deliver(mail: OutgoingMail): void;
}

export interface RunningMailCatcher extends MailSink {
  url: string;
  port: number;
  messages(): CaughtMail[];
  stop(): Promise<void>;
}

const FROM = 'admin@email.com'; // the sender `supabase start` uses (GOTRUE_SMTP_ADMIN_EMAIL)
const MAX_MESSAGES = 500; // a development inbox: the oldest go first

/** Mailpit's address object; `Name <address>` is split as Mailpit does. */
const address = (a: string) => {
  const named = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(a);
  return named ? { Name: named[1] ?? '', Address: named[2] ?? '' } : { Name: '', Address: a };
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function summary(m: CaughtMail) {
  return {
    ID: m.id,
    MessageID: `${m.id}@local-supabase.invalid`,
    Read: false,
    From: address(m.from),
    To: [address(m.to)],
    Cc: [],
    Bcc: [],
    ReplyTo: m.replyTo.map(address),
    Subject: m.subject,
    Created: m.created.toISOString(),
    Tags: [],
    Size: Buffer.byteLength(m.html) + Buffer.byteLength(m.text),
    Attachments: 0,
    Snippet: m.text.replace(/\s+/g, ' ').trim().slice(0, 250),
  };
}

export async function startMailCatcher(opts: { port: number; host?: string }): Promise<RunningMailCatcher> {
  const host = opts.host ?? '127.0.0.1';
  const inbox: CaughtMail[] = [];
  const store = (mail: OutgoingMail): string => {
    const id = randomUUID();
    inbox.push({ ...mail, to: mail.to.toLowerCase(), id, from: mail.from ?? FROM, replyTo: mail.replyTo ?? [], created: new Date() });
    if (inbox.length > MAX_MESSAGES) inbox.shift();
    return id;
  };
  // One stored mail per recipient, as a provider delivers one copy to each; the API answers with the first id.
  const api = createResendApi((m) => m.to.map((to) => store({ ...m, to })).at(0)!);
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://mail.local');
    if (await api.handle(req, res, url.pathname).catch(() => false)) return;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const newestFirst = () => [...inbox].reverse();
    if (req.method === 'GET' && url.pathname === '/api/v1/messages') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const list = newestFirst().filter((m) => !to || m.to === to);
      return send(200, { total: list.length, unread: list.length, count: list.length, messages: list.map(summary) });
    }
    if (req.method === 'DELETE' && url.pathname === '/api/v1/messages') {
      inbox.length = 0;
      return send(200, {});
    }
    const one = /^\/api\/v1\/message\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const m = one[1] === 'latest' ? inbox.at(-1) : inbox.find((x) => x.id === one[1]);
      if (!m) return send(404, { code: 'not_found', message: 'No such message' });
      return send(200, { ...summary(m), Date: m.created.toISOString(), Text: m.text, HTML: m.html, Inline: [], Attachments: [] });
    }
    if (req.method === 'GET' && url.pathname === '/') {
      const rows = newestFirst()
        .map((m) => `<tr><td>${escapeHtml(m.created.toISOString())}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(m.to)}</td><td><a href="/view/${m.id}">${escapeHtml(m.subject)}</a></td></tr>`)
        .join('');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(
        `<!doctype html><meta charset="utf-8"><title>Local mail</title><h1>Local mail (${inbox.length})</h1><table><tr><th>When</th><th>From</th><th>To</th><th>Subject</th></tr>${rows}</table>`,
      );
    }
    const view = /^\/view\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && view) {
      const m = inbox.find((x) => x.id === view[1]);
      if (!m) return send(404, { code: 'not_found', message: 'No such message' });
      // The mail's own HTML, sandboxed: it comes from Auth's templates, but is shown on our origin.
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': 'sandbox allow-popups allow-top-navigation-by-user-activation' });
      return res.end(`<!doctype html><meta charset="utf-8"><p><a href="/">All mail</a> · To ${escapeHtml(m.to)} · ${escapeHtml(m.subject)}</p><hr>${m.html}`);
    }
    send(404, { code: 'not_found', message: 'Not Found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    deliver(mail) {
      store(mail);
    },
    messages: () => [...inbox],
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
