// A channel's life: join (token, private-channel read check, presence config), a refreshed access token that
// re-checks the policies, expiry with the token, and leaving.
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Claims } from '../jwt.ts';
import { checkRead, DatabaseUnreachable, type ReadGrant } from './authorization.ts';
import type { Incoming } from './frames.ts';
import { type Channel, type Hub, internal, type Socket, tokenError } from './hub.ts';
import { sendPresenceState, untrack } from './presence.ts';

/** Removes a channel; `reason` sends a system error first; `close` sends phx_close. */
export function stopChannel(hub: Hub, ch: Channel, opts: { close: boolean; reason?: string }) {
  if (ch.sock.channels.get(ch.topic) !== ch) return;
  ch.sock.channels.delete(ch.topic);
  if (ch.expiry) clearTimeout(ch.expiry);
  const key = internal(ch.isPrivate, ch.sub);
  hub.topics.get(key)?.delete(ch);
  if (hub.topics.get(key)?.size === 0) hub.topics.delete(key);
  untrack(hub, ch);
  if (opts.reason) hub.send(ch.sock, ch.joinRef, null, ch.topic, 'system', { extension: 'system', status: 'error', message: opts.reason, channel: ch.sub });
  if (opts.close) hub.send(ch.sock, ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
}

function scheduleExpiry(hub: Hub, ch: Channel) {
  if (ch.expiry) clearTimeout(ch.expiry);
  const ms = Number(ch.claims.exp) * 1000 - Date.now();
  ch.expiry = setTimeout(() => stopChannel(hub, ch, { close: true, reason: 'Token has expired 0 seconds ago' }), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  ch.expiry.unref();
}

/** The id Realtime gives each postgres_changes binding (stable per binding). */
function hashId(s: string, i: number): number {
  let h = 2166136261 + i;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619) >>> 0;
  return h % 100_000_000;
}

const bool = (v: unknown, d = false) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : d);

export async function join(hub: Hub, sock: Socket, msg: Incoming) {
  const sub = msg.topic.startsWith('realtime:') ? msg.topic.slice('realtime:'.length) : msg.topic;
  const fail = (reason: string) => hub.reply(sock, msg, 'error', { reason });
  if (!sub) return fail('TopicNameRequired: You must provide a topic name');
  const p = (msg.payload ?? {}) as Record<string, any>;
  const config = (p.config ?? {}) as Record<string, any>;
  const given = typeof p.access_token === 'string' ? p.access_token : typeof p.user_token === 'string' ? p.user_token : null;
  // An sb_ key as access_token means "use the connect token".
  const token = given && !given.startsWith('sb_') ? given : sock.token;
  let claims: Claims;
  try {
    claims = token === sock.token ? sock.claims : await hub.verify(token);
  } catch (err) {
    return fail(tokenError(err, token));
  }
  const isPrivate = bool(config.private);
  const presenceEnabled = bool(config.presence?.enabled);
  let read: ReadGrant = { broadcast: true, presence: true };
  if (isPrivate && claims.role !== 'service_role') {
    try {
      // Presence read counts only when the join enables presence (realtime_channel.ex): a channel that may read
      // presence but not broadcast is refused unless it asks for presence.
      read = await checkRead(hub.pool, claims, sub, presenceEnabled);
    } catch (err) {
      if (err instanceof DatabaseUnreachable) return fail(err.message);
      throw err;
    }
    if (!read.broadcast && !read.presence) return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`);
  }
  // A second join of the same topic on this socket closes the first.
  const old = sock.channels.get(msg.topic);
  if (old) stopChannel(hub, old, { close: true });
  if (sock.ws.readyState !== WebSocket.OPEN) return;
  const key = config.presence?.key;
  const ch: Channel = {
    sock,
    topic: msg.topic,
    sub,
    joinRef: msg.joinRef ?? msg.ref ?? '',
    isPrivate,
    self: bool(config.broadcast?.self),
    ack: bool(config.broadcast?.ack),
    presenceKey: typeof key === 'string' && key ? key : randomUUID(),
    presenceEnabled,
    presenceStateSent: false,
    claims,
    token,
    read,
    write: {},
    presence: null,
    expiry: null,
  };
  sock.channels.set(msg.topic, ch);
  hub.subscribers(internal(isPrivate, sub)).add(ch);
  scheduleExpiry(hub, ch);
  const changes = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
  hub.reply(sock, msg, 'ok', {
    postgres_changes: changes.map((c: Record<string, unknown>, i: number) => ({ ...c, id: hashId(JSON.stringify(c), i) })),
  });
  if (presenceEnabled && (!isPrivate || read.presence)) sendPresenceState(hub, ch);
}

/** A refreshed token: verified, the policies checked again; a read lost closes the channel. */
export async function accessToken(hub: Hub, sock: Socket, msg: Incoming) {
  const ch = sock.channels.get(msg.topic);
  if (!ch) return;
  const token = (msg.payload as Record<string, unknown> | null)?.access_token;
  if (typeof token !== 'string' || token.startsWith('sb_') || token === ch.token) return;
  let claims: Claims;
  try {
    claims = await hub.verify(token);
  } catch (err) {
    return stopChannel(hub, ch, { close: true, reason: tokenError(err, token).replace(/^InvalidJWTToken: /, '') });
  }
  if (ch.isPrivate && claims.role !== 'service_role') {
    let read: ReadGrant;
    try {
      read = await checkRead(hub.pool, claims, ch.sub, ch.presenceEnabled);
    } catch (err) {
      if (err instanceof DatabaseUnreachable) return stopChannel(hub, ch, { close: true, reason: err.message });
      throw err;
    }
    // As realtime_channel.ex: nothing readable any more is the join's refusal; losing one of two reads closes too.
    if (!read.broadcast && !read.presence) {
      return stopChannel(hub, ch, { close: true, reason: `You do not have permissions to read from this Channel topic: ${ch.sub}` });
    }
    const revoked = (before: boolean | null, now: boolean | null) => before === true && now === false;
    if (revoked(ch.read.broadcast, read.broadcast) || revoked(ch.read.presence, read.presence)) {
      return stopChannel(hub, ch, { close: true, reason: `You no longer have permission to read from this Channel topic: ${ch.sub}` });
    }
    ch.read = read;
  }
  ch.claims = claims;
  ch.token = token;
  ch.write = {};
  scheduleExpiry(hub, ch);
}
