// Presence: the state a channel is sent on join, the diffs after each track and untrack, and the track event.
import { checkRead, DatabaseUnreachable } from './authorization.ts';
import { stopChannel } from './channels.ts';
import type { Incoming } from './frames.ts';
import { type Channel, type Hub, internal, phxRef, type Socket } from './hub.ts';
import { admitPresenceEvent, CLIENT_PRESENCE_LIMIT_ERROR } from './presence-limit.ts';

function presenceState(hub: Hub, key: string): Record<string, { metas: Record<string, unknown>[] }> {
  const state: Record<string, { metas: Record<string, unknown>[] }> = {};
  for (const ch of hub.topics.get(key) ?? []) {
    if (!ch.presence) continue;
    (state[ch.presence.key] ??= { metas: [] }).metas.push(ch.presence.meta);
  }
  return state;
}

/** presence_diff goes to every subscriber with presence read, the tracker included. */
function presenceDiff(hub: Hub, key: string, joins: Record<string, unknown>, leaves: Record<string, unknown>) {
  for (const ch of hub.topics.get(key) ?? []) {
    if (ch.isPrivate && !ch.read.presence) continue;
    if (!ch.presenceStateSent && !ch.presenceEnabled) continue;
    hub.send(ch.sock, null, null, ch.topic, 'presence_diff', { joins, leaves });
  }
}

export function sendPresenceState(hub: Hub, ch: Channel) {
  if (ch.presenceStateSent) return;
  ch.presenceStateSent = true;
  hub.send(ch.sock, ch.joinRef, null, ch.topic, 'presence_state', presenceState(hub, internal(ch.isPrivate, ch.sub)));
}

export function untrack(hub: Hub, ch: Channel) {
  if (!ch.presence) return;
  const { key, meta } = ch.presence;
  ch.presence = null;
  presenceDiff(hub, internal(ch.isPrivate, ch.sub), {}, { [key]: { metas: [meta] } });
}

function stripRefs(meta: Record<string, unknown>) {
  const { phx_ref: _a, phx_ref_prev: _b, ...rest } = meta;
  return rest;
}

/** A `presence` event: track (a changed payload only) or untrack. */
export async function presence(hub: Hub, sock: Socket, msg: Incoming) {
  const ch = sock.channels.get(msg.topic);
  if (!ch) return hub.unmatched(sock, msg);
  const p = (msg.payload ?? {}) as Record<string, any>;
  // Every presence event with an event name counts, before anything else is looked at (reference §2.4).
  if (typeof p.event === 'string' && !admitPresenceEvent(ch)) {
    return stopChannel(hub, ch, { close: true, reason: CLIENT_PRESENCE_LIMIT_ERROR });
  }
  if (p.event === 'untrack') {
    untrack(hub, ch);
    return hub.reply(sock, msg, 'ok', {});
  }
  if (p.event !== 'track') return hub.reply(sock, msg, 'error', { reason: 'unknown presence event' });
  // Realtime authorizes a private track before looking at its payload: presence read first if the join did not
  // check it (presence was off), then presence write. Refused: an error reply without a reason.
  if (ch.isPrivate && ch.claims.role !== 'service_role' && ch.read.presence === null) {
    try {
      ch.read = { ...ch.read, presence: (await checkRead(hub.pool, ch.claims, ch.sub, true)).presence };
    } catch (err) {
      if (err instanceof DatabaseUnreachable) return hub.reply(sock, msg, 'error', {});
      throw err;
    }
  }
  if (!(await hub.mayWrite(ch, 'presence'))) return hub.reply(sock, msg, 'error', {});
  const payload = p.payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    return hub.reply(sock, msg, 'error', { reason: 'Presence track payload must be a map' });
  }
  if (!ch.presenceEnabled) {
    ch.presenceEnabled = true;
    if (!ch.isPrivate || ch.read.presence) sendPresenceState(hub, ch);
  }
  const key = internal(ch.isPrivate, ch.sub);
  const prev = ch.presence;
  if (prev && JSON.stringify(stripRefs(prev.meta)) === JSON.stringify(payload)) return hub.reply(sock, msg, 'ok', {});
  const meta: Record<string, unknown> = { ...payload, phx_ref: phxRef() };
  if (prev) meta.phx_ref_prev = prev.meta.phx_ref;
  ch.presence = { key: ch.presenceKey, meta };
  hub.reply(sock, msg, 'ok', {});
  presenceDiff(hub, key, { [ch.presenceKey]: { metas: [meta] } }, prev ? { [prev.key]: { metas: [prev.meta] } } : {});
}
