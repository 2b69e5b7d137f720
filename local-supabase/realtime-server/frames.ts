// Phoenix wire frames for Realtime: vsn 1.0.0 (JSON objects) and 2.0.0 (JSON arrays plus binary kinds 3 and 4).
// realtime-js decodes only binary kind 4 from the server, so kinds 0-2 are never sent (reference §1.2).

export type Vsn = '1.0.0' | '2.0.0';

export interface Incoming {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: any;
  /** For binary broadcast pushes (kind 3): the user event and raw payload bytes. */
  binary?: { event: string; payload: Buffer; json: boolean; meta: string };
}

export function decode(vsn: Vsn, data: Buffer, isBinary: boolean): Incoming | null {
  if (isBinary) {
    if (data[0] !== 3 || data.length < 7) return null;
    const [, jl, rl, tl, el, ml, enc] = data;
    let o = 7;
    const take = (n: number) => {
      const s = data.subarray(o, o + n).toString('utf8');
      o += n;
      return s;
    };
    const joinRef = take(jl!);
    const ref = take(rl!);
    const topic = take(tl!);
    const event = take(el!);
    const meta = take(ml!);
    const payload = data.subarray(o);
    return { joinRef: joinRef || null, ref: ref || null, topic, event: 'broadcast', payload: null, binary: { event, payload, json: enc === 1, meta } };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString('utf8'));
  } catch {
    return null;
  }
  if (vsn === '2.0.0' && Array.isArray(msg)) {
    const [joinRef, ref, topic, event, payload] = msg as [string | null, string | null, string, string, unknown];
    if (typeof topic !== 'string' || typeof event !== 'string') return null;
    return { joinRef: joinRef ?? null, ref: ref ?? null, topic, event, payload };
  }
  if (msg && typeof msg === 'object' && !Array.isArray(msg)) {
    const m = msg as Record<string, any>;
    if (typeof m.topic !== 'string' || typeof m.event !== 'string') return null;
    return { joinRef: m.join_ref ?? null, ref: m.ref ?? null, topic: m.topic, event: m.event, payload: m.payload };
  }
  return null;
}

/** A server message as a text frame for the socket's protocol version. */
export function encodeText(vsn: Vsn, joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): string {
  if (vsn === '2.0.0') return JSON.stringify([joinRef, ref, topic, event, payload]);
  return JSON.stringify({ topic, event, payload, ref });
}

/** Binary kind 4 (user broadcast, server → client). Strings are at most 255 bytes each. */
export function encodeUserBroadcast(topic: string, event: string, meta: string, payload: Buffer, json: boolean): Buffer | null {
  const t = Buffer.from(topic);
  const e = Buffer.from(event);
  const m = Buffer.from(meta);
  if (t.length > 255 || e.length > 255 || m.length > 255) return null;
  return Buffer.concat([Buffer.from([4, t.length, e.length, m.length, json ? 1 : 0]), t, e, m, payload]);
}
