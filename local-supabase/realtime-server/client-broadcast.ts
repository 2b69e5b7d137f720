// A broadcast sent by a client on its channel: dropped silently when the policies refuse it (as Realtime does),
// otherwise fanned out (to the sender too with broadcast.self) and acknowledged with broadcast.ack.
import { fanOut } from './fan-out.ts';
import type { Incoming } from './frames.ts';
import { type Hub, internal, type Socket } from './hub.ts';

export async function broadcast(hub: Hub, sock: Socket, msg: Incoming) {
  const ch = sock.channels.get(msg.topic);
  if (!ch) return hub.unmatched(sock, msg);
  if (!(await hub.mayWrite(ch, 'broadcast'))) return; // silently dropped, as Realtime does (no ack)
  const key = internal(ch.isPrivate, ch.sub);
  const except = ch.self ? undefined : ch;
  if (msg.binary) {
    const body = msg.binary.json ? { json: true as const, value: undefined, raw: msg.binary.payload } : { json: false as const, raw: msg.binary.payload };
    fanOut(hub, key, msg.binary.event, body, { except });
  } else {
    const p = (msg.payload ?? {}) as Record<string, unknown>;
    fanOut(hub, key, String(p.event ?? ''), { json: true, value: p.payload }, { except, textFrame: true });
  }
  if (ch.ack) hub.reply(sock, msg, 'ok', {});
}
