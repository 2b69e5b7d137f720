// The /realtime/v1 service: Supabase Realtime's Phoenix protocol (vsn 1.0.0 and 2.0.0) with broadcast,
// presence, private-channel authorization through RLS, REST broadcast and database broadcasts
// (realtime.send / broadcast_changes). This file wires sockets to the handlers:
//   hub.ts                  live state (sockets, channels by topic) and the wire helpers
//   channels.ts             join, refreshed access tokens, expiry, leave
//   presence.ts             presence state, diffs and track/untrack
//   presence-limit.ts       hosted Realtime's per-client presence rate limit
//   client-broadcast.ts     broadcasts sent by clients
//   fan-out.ts              delivering one broadcast to a topic's readers
//   database-broadcasts.ts  broadcasts committed by the database (LISTEN, in commit order, catch-up)
//   rest-broadcast.ts       POST /api/broadcast
//   authorization.ts        the policies on realtime.messages, as Realtime evaluates them
//   frames.ts               the two serializers' frames
import { WebSocketServer } from 'ws';
import type { ServiceFactory, StackContext } from '../context.ts';
import { sendJson } from '../context.ts';
import { accessToken, join, stopChannel } from './channels.ts';
import { broadcast } from './client-broadcast.ts';
import { listenForDatabaseBroadcasts } from './database-broadcasts.ts';
import { decode, type Vsn } from './frames.ts';
import { Hub, type Socket, tokenError } from './hub.ts';
import { presence } from './presence.ts';
import { restBroadcast } from './rest-broadcast.ts';

const IDLE_MS = Number(process.env.LOCAL_SUPABASE_REALTIME_IDLE_MS ?? 60_000);

export const createRealtimeService: ServiceFactory = (ctx: StackContext) => {
  const hub = new Hub(ctx.cfg, ctx.pool);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });

  async function onMessage(sock: Socket, data: Buffer, isBinary: boolean) {
    sock.lastSeen = Date.now();
    const msg = decode(sock.vsn, data, isBinary);
    if (!msg) return;
    if (msg.topic === 'phoenix') {
      if (msg.event === 'heartbeat') hub.reply(sock, msg, 'ok', {});
      return;
    }
    switch (msg.event) {
      case 'phx_join':
        return join(hub, sock, msg);
      case 'phx_leave': {
        const ch = sock.channels.get(msg.topic);
        hub.reply(sock, msg, 'ok', {});
        if (ch) stopChannel(hub, ch, { close: true });
        return;
      }
      case 'broadcast':
        return broadcast(hub, sock, msg);
      case 'presence':
        return presence(hub, sock, msg);
      case 'access_token':
        return accessToken(hub, sock, msg);
      default:
        if (!sock.channels.has(msg.topic)) return hub.unmatched(sock, msg);
    }
  }

  function dropSocket(sock: Socket) {
    if (!hub.sockets.delete(sock)) return;
    for (const ch of [...sock.channels.values()]) stopChannel(hub, ch, { close: false });
  }

  const idleTimer = setInterval(() => {
    const now = Date.now();
    for (const s of hub.sockets) if (now - s.lastSeen > IDLE_MS) s.ws.terminate();
  }, Math.min(5000, Math.max(250, IDLE_MS / 4)));
  idleTimer.unref();

  const stopListening = listenForDatabaseBroadcasts(hub, ctx);

  return {
    async handle(req, res, path, url) {
      if (req.method === 'POST' && path.startsWith('/api/broadcast')) return restBroadcast(hub, req, res, path, url);
      if (path === '/api/ping' || path === '/api/health') return sendJson(res, 200, { message: 'Success' });
      sendJson(res, 404, { message: 'Not found' });
    },

    upgrade(req, socket, head, path, url) {
      if (path !== '/websocket' && path !== '/websocket/websocket') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      const token = url.searchParams.get('apikey') ?? (req.headers['x-api-key'] as string | undefined) ?? '';
      const vsn: Vsn = url.searchParams.get('vsn') === '2.0.0' ? '2.0.0' : '1.0.0';
      const refuse = (status: number, error: string) => {
        const body = JSON.stringify({ error });
        socket.end(`HTTP/1.1 ${status} Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      };
      if (!token) return refuse(401, 'No api key found in request');
      hub.verify(token).then(
        (claims) => {
          wss.handleUpgrade(req, socket, head, (ws) => {
            const sock: Socket = { ws, vsn, claims, token, lastSeen: Date.now(), channels: new Map() };
            hub.sockets.add(sock);
            ws.on('message', (data, isBinary) => {
              onMessage(sock, data as Buffer, isBinary).catch((err) => ctx.log('realtime', `message failed: ${(err as Error).stack}`));
            });
            ws.on('close', () => dropSocket(sock));
            ws.on('error', () => dropSocket(sock));
          });
        },
        (err) => refuse(401, tokenError(err, token).replace(/^InvalidJWTToken: /, '')),
      );
    },

    async close() {
      clearInterval(idleTimer);
      for (const s of hub.sockets) s.ws.terminate();
      hub.sockets.clear();
      await stopListening();
      wss.close();
    },
  };
};
