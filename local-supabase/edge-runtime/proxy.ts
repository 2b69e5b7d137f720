// Forwarding a request to a function's process (kept-alive when the body is small and read), and the
// gateway-side checks before it: verify_jwt, and reading a small body.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, sendJson } from '../context.ts';
import { verifyJwt } from '../jwt.ts';
import type { JwtKeys } from '../project-keys.ts';
import type { Worker } from './worker.ts';

/** null when the request carries a valid JWT; otherwise the edge runtime's refusal text. */
export async function checkJwt(jwtSecret: string | JwtKeys, req: IncomingMessage): Promise<string | null> {
  const auth = req.headers.authorization;
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  if (!m) return 'Error: Missing authorization header';
  try {
    await verifyJwt(jwtSecret, m[1]!);
    return null;
  } catch {
    return 'Invalid JWT';
  }
}

/**
 * Proxies one request. Resolves 'refused' when the worker could not be reached at all (its process just died):
 * nothing of the request reached the function then, so the caller may start a new worker and try again.
 * A request whose body is already read (`body`) goes over a kept-alive connection (no connect and close per
 * request); a body of unknown or large size is streamed on a connection of its own, sent only once connected.
 * A failure on a reused connection is never retried: the function may have seen the request.
 */
export function proxy(w: Worker, req: IncomingMessage, res: ServerResponse, pathAndQuery: string, body: Buffer | null): Promise<'done' | 'refused'> {
  return new Promise((resolve) => {
    // As Kong does (no trusted proxies): X-Real-IP is the caller's address, X-Forwarded-For gets it appended.
    const remote = req.socket.remoteAddress ?? '';
    const forwarded = [req.headers['x-forwarded-for'], remote].filter(Boolean).join(', ');
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${w.port}`, 'x-forwarded-for': forwarded, 'x-real-ip': remote };
    if (body) {
      delete headers.connection;
      delete headers['keep-alive'];
      if (body.length || headers['content-length'] !== undefined) headers['content-length'] = body.length;
    }
    let connected = false;
    const upstream = http.request(
      { host: '127.0.0.1', port: w.port, method: req.method, path: pathAndQuery, headers, agent: body ? w.agent : false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('end', () => resolve('done'));
        up.on('error', () => {
          res.destroy();
          resolve('done');
        });
      },
    );
    if (body) {
      upstream.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      upstream.end(body);
    } else {
      // The body is sent only once connected, so a refused connection leaves the request untouched for a retry.
      upstream.on('socket', (socket) =>
        socket.once('connect', () => {
          connected = true;
          req.pipe(upstream);
        }),
      );
    }
    upstream.on('error', (err) => {
      if (!connected) return resolve('refused');
      if (!res.headersSent) sendJson(res, 500, { code: 'WORKER_ERROR', message: `Function failed: ${err.message}` });
      else res.destroy();
      resolve('done');
    });
    // A caller that goes away (e.g. leaves a stream) cancels the request to the function too.
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        resolve('done');
      }
    });
  });
}

/** Reads a body of known size up to 1 MB (so the request can go over a kept-alive connection); null: stream it. */
export async function smallBody(req: IncomingMessage): Promise<Buffer | null> {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] || (length === undefined && !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(req.method ?? ''))) return null;
  const n = Number(length ?? 0);
  if (!Number.isFinite(n) || n > 1024 * 1024) return null;
  if (n === 0) return Buffer.alloc(0);
  return readBody(req, 1024 * 1024);
}

