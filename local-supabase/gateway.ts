// The gateway on one port (what Kong is in `supabase start`): routes by prefix, checks the apikey,
// maps `sb_` keys to JWTs, and adds CORS for auth, rest and realtime.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Service, StackContext } from './context.ts';
import { sendJson } from './context.ts';
import { isKnownApiKey, upstreamBearer } from './jwt.ts';

export interface Services {
  auth: Service;
  rest: Service;
  realtime: Service;
  functions: Service;
  storage: Service;
}

/** Auth routes Kong leaves open (no apikey needed). */
const OPEN_AUTH = new Set(['/health', '/verify', '/callback', '/authorize', '/.well-known/jwks.json']);

const CORS_EXPOSE = 'Content-Range, Content-Location, Location, Range-Unit, X-Total-Count, Link, X-Supabase-Api-Version, Preference-Applied';

interface Route {
  service: keyof Services;
  path: string;
  /** Needs a known apikey (Kong key-auth). */
  keyAuth: boolean;
  /** The gateway answers CORS (Kong's cors plugin); functions answer it themselves. */
  cors: boolean;
}

function route(pathname: string): Route | null {
  const m = /^\/(auth|rest|realtime|functions|storage)\/v1(\/.*)?$/.exec(pathname);
  if (!m) return null;
  const service = m[1] as keyof Services;
  const path = m[2] ?? '/';
  if (service === 'functions') return { service, path, keyAuth: false, cors: false };
  // Kong has no key-auth on storage: signed URLs work without headers, and Storage checks the JWT itself.
  if (service === 'storage') return { service, path, keyAuth: false, cors: true };
  if (service === 'auth') return { service, path, keyAuth: !OPEN_AUTH.has(path), cors: true };
  return { service, path, keyAuth: true, cors: true };
}

function apiKeyOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.apikey;
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey') ?? undefined;
}

function corsHeaders(): Record<string, string> {
  return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': CORS_EXPOSE };
}

export function createGateway(ctx: StackContext, services: Services): http.Server {
  const { cfg } = ctx;

  /** Applies key-auth and Kong's Authorization mapping. Returns an error to send, or null. */
  function authorize(req: IncomingMessage, url: URL, r: Route): { status: number; message: string } | null {
    const apikey = apiKeyOf(req, url);
    if (r.keyAuth) {
      if (!apikey) return { status: 401, message: 'No API key found in request' };
      if (!isKnownApiKey(cfg, apikey)) return { status: 401, message: 'Invalid authentication credentials' };
    }
    const bearer = upstreamBearer(cfg, req.headers.authorization, apikey);
    if (bearer) req.headers.authorization = `Bearer ${bearer}`;
    return null;
  }

  const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', cfg.apiUrl);
    const r = route(url.pathname);
    if (!r) {
      if (url.pathname === '/' || url.pathname === '/health') {
        sendJson(res, 200, { name: 'local supabase (Docker-free stand-in)', services: ['auth', 'rest', 'realtime', 'functions', 'storage'] });
        return;
      }
      sendJson(res, 404, { message: 'no Route matched with those values' });
      return;
    }
    if (r.cors) {
      if (req.method === 'OPTIONS') {
        res.writeHead(200, {
          ...corsHeaders(),
          'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT',
          'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? '*'),
          'Access-Control-Max-Age': '3600',
          'Content-Length': '0',
        });
        res.end();
        return;
      }
      for (const [k, v] of Object.entries(corsHeaders())) res.setHeader(k, v);
    }
    const denied = authorize(req, url, r);
    if (denied) {
      sendJson(res, denied.status, { message: denied.message });
      return;
    }
    try {
      await services[r.service].handle(req, res, r.path, url);
    } catch (err) {
      ctx.log('gateway', `${req.method} ${url.pathname} failed: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) sendJson(res, 500, { code: 'internal_error', message: 'An unexpected error occurred in the local stack' });
      else res.end();
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', cfg.apiUrl);
    const r = route(url.pathname);
    if (r?.service !== 'realtime' || !services.realtime.upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"message":"no Route matched with those values"}');
      return;
    }
    const denied = authorize(req, url, r);
    if (denied) {
      const body = JSON.stringify({ message: denied.message });
      socket.end(`HTTP/1.1 ${denied.status} Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    // Kong rewrites an sb_ apikey query parameter to the matching JWT on the websocket route.
    const apikey = url.searchParams.get('apikey');
    if (apikey?.startsWith('sb_')) {
      url.searchParams.set('apikey', apikey === cfg.secretKey ? cfg.serviceRoleKey : cfg.anonKey);
      req.url = url.pathname + url.search;
    }
    services.realtime.upgrade(req, socket, head, r.path, url);
  });

  // Kong keeps idle client connections 60 s (nginx keepalive_timeout); Node's default of 5 s would make a visitor
  // who writes every few seconds open a new connection for most messages.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return server;
}
