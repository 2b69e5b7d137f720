// What every service of the stand-in receives: settings, a superuser pool, and a logger.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { StackConfig } from './config.ts';
import type { MailSink } from './mail/index.ts';

export interface StackContext {
  cfg: StackConfig;
  /** Pool of superuser (`supabase_admin`) connections; services switch role per transaction. */
  pool: pg.Pool;
  log: (service: string, message: string) => void;
  /** Where Auth sends its mails (the local mail catcher); unset, mails are logged and dropped. */
  mail?: MailSink;
}

export interface Service {
  /** Handles an HTTP request; `path` is the part after the service prefix (e.g. `/token`). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void>;
  /** Handles a WebSocket upgrade (realtime only). */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, path: string, url: URL): void;
  close?(): Promise<void>;
}

export type ServiceFactory = (ctx: StackContext) => Service | Promise<Service>;

/** Reads a request body fully (bounded). */
export async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}
