// Delivering one broadcast to every subscriber of an internal topic that may read it, each frame encoded once
// per protocol version and topic, and the frames for one socket within one tick corked into one write.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { encodeText, encodeUserBroadcast } from './frames.ts';
import type { Channel, Hub } from './hub.ts';

export type BroadcastBody = { json: true; value: unknown; raw?: Buffer } | { json: false; raw: Buffer };

// A message's broadcasts to a company and a conversation arrive together: one wake-up of the client, not several.
const corked = new Set<Duplex>();
function uncorkAll() {
  for (const raw of corked) raw.uncork();
  corked.clear();
}
function corkFor(ws: WebSocket) {
  const raw = (ws as unknown as { _socket?: Duplex })._socket;
  if (!raw || corked.has(raw)) return;
  if (corked.size === 0) process.nextTick(uncorkAll);
  raw.cork();
  corked.add(raw);
}

export function safeParse(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return null;
  }
}

export function fanOut(hub: Hub, key: string, event: string, body: BroadcastBody, opts: { except?: Channel; meta?: Record<string, unknown>; textFrame?: boolean }) {
  const subs = hub.topics.get(key);
  if (!subs) return;
  const metaText = opts.meta ? JSON.stringify(opts.meta) : '';
  const bytes = body.json ? (body.raw ?? Buffer.from(JSON.stringify(body.value ?? null))) : body.raw;
  const jsonValue = body.json ? (body.raw ? safeParse(body.raw) : body.value) : undefined;
  const cache = new Map<string, Buffer | string | null>();
  for (const ch of subs) {
    if (ch === opts.except) continue;
    if (ch.isPrivate && !ch.read.broadcast) continue;
    if (ch.sock.ws.readyState !== WebSocket.OPEN) continue;
    const cacheKey = `${ch.sock.vsn}|${ch.topic}`;
    let frame = cache.get(cacheKey);
    if (frame === undefined) {
      if (ch.sock.vsn === '1.0.0') {
        frame = body.json
          ? encodeText('1.0.0', null, null, ch.topic, 'broadcast', { type: 'broadcast', event, payload: jsonValue, ...(opts.meta ? { meta: opts.meta } : {}) })
          : null;
      } else if (opts.textFrame && body.json) {
        frame = encodeText('2.0.0', null, null, ch.topic, 'broadcast', { type: 'broadcast', event, payload: jsonValue, ...(opts.meta ? { meta: opts.meta } : {}) });
      } else {
        frame =
          encodeUserBroadcast(ch.topic, event, metaText, bytes, body.json) ??
          (body.json ? encodeText('2.0.0', null, null, ch.topic, 'broadcast', { type: 'broadcast', event, payload: jsonValue }) : null);
      }
      cache.set(cacheKey, frame);
    }
    if (frame !== null) {
      corkFor(ch.sock.ws);
      ch.sock.ws.send(frame);
    }
  }
}
