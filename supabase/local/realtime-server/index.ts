// The /realtime/v1 service: Supabase Realtime's Phoenix protocol (vsn 1.0.0 and 2.0.0) with broadcast,
// presence, private-channel authorization through RLS, REST broadcast and database broadcasts
// (realtime.send / broadcast_changes). Reference §1-2.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { WebSocket, WebSocketServer } from 'ws';
import { readBody, type ServiceFactory, type StackContext, sendJson } from '../context.ts';
import { type Claims, decodeJwt, JwtError, verifyJwt } from '../jwt.ts';
import { checkRead, checkWrite, DatabaseUnreachable, type ReadGrant } from './authorization.ts';
import { decode, encodeText, encodeUserBroadcast, type Incoming, type Vsn } from './frames.ts';

const IDLE_MS = Number(process.env.PORCHLIGHT_REALTIME_IDLE_MS ?? 60_000);
const NOTIFY_CHANNEL = 'porchlight_realtime_messages';

interface Presence {
  key: string;
  meta: Record<string, unknown>;
}

interface Channel {
  sock: Socket;
  topic: string;
  sub: string;
  joinRef: string;
  isPrivate: boolean;
  self: boolean;
  ack: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  presenceStateSent: boolean;
  claims: Claims;
  token: string;
  /** What the policies let this channel read; presence null until presence is enabled (at join or by a track). */
  read: ReadGrant;
  write: { broadcast?: boolean; presence?: boolean };
  presence: Presence | null;
  expiry: NodeJS.Timeout | null;
}

interface Socket {
  ws: WebSocket;
  vsn: Vsn;
  claims: Claims;
  token: string;
  lastSeen: number;
  channels: Map<string, Channel>;
}

/** Internal topic: private and public channels of the same name are separate. */
const internal = (isPrivate: boolean, sub: string) => `${isPrivate ? 'private' : 'public'}:${sub}`;

function phxRef(): string {
  return randomBytes(9).toString('base64url');
}

function tokenError(err: unknown, token: string): string {
  if (err instanceof JwtError) {
    if (err.kind === 'expired') {
      const exp = Number(decodeJwt(token)?.exp ?? 0);
      return `InvalidJWTToken: Token has expired ${Math.max(0, Math.floor(Date.now() / 1000) - exp)} seconds ago`;
    }
    if (err.kind === 'signature') return 'JwtSignatureError: Failed to validate JWT signature';
    if (err.kind === 'malformed') return 'MalformedJWT: The token provided is not a valid JWT';
  }
  return `InvalidJWTToken: ${(err as Error).message}`;
}

export const createRealtimeService: ServiceFactory = (ctx: StackContext) => {
  const { cfg, pool } = ctx;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const sockets = new Set<Socket>();
  const topics = new Map<string, Set<Channel>>();

  async function verify(token: string): Promise<Claims> {
    const claims = await verifyJwt(cfg.jwtSecret, token);
    if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') throw new Error('Fields `role` and `exp` are required in JWT');
    return claims;
  }

  function send(sock: Socket, joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown) {
    if (sock.ws.readyState === WebSocket.OPEN) sock.ws.send(encodeText(sock.vsn, joinRef, ref, topic, event, payload));
  }

  function reply(sock: Socket, msg: Incoming, status: 'ok' | 'error', response: unknown) {
    send(sock, msg.joinRef, msg.ref, msg.topic, 'phx_reply', { status, response });
  }

  function unmatched(sock: Socket, msg: Incoming) {
    send(sock, null, msg.ref, msg.topic, 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } });
  }

  function subscribers(key: string): Set<Channel> {
    let set = topics.get(key);
    if (!set) topics.set(key, (set = new Set()));
    return set;
  }

  function presenceState(key: string): Record<string, { metas: Record<string, unknown>[] }> {
    const state: Record<string, { metas: Record<string, unknown>[] }> = {};
    for (const ch of topics.get(key) ?? []) {
      if (!ch.presence) continue;
      (state[ch.presence.key] ??= { metas: [] }).metas.push(ch.presence.meta);
    }
    return state;
  }

  /** presence_diff goes to every subscriber with presence read, the tracker included. */
  function presenceDiff(key: string, joins: Record<string, unknown>, leaves: Record<string, unknown>) {
    for (const ch of topics.get(key) ?? []) {
      if (ch.isPrivate && !ch.read.presence) continue;
      if (!ch.presenceStateSent && !ch.presenceEnabled) continue;
      send(ch.sock, null, null, ch.topic, 'presence_diff', { joins, leaves });
    }
  }

  function sendPresenceState(ch: Channel) {
    if (ch.presenceStateSent) return;
    ch.presenceStateSent = true;
    send(ch.sock, ch.joinRef, null, ch.topic, 'presence_state', presenceState(internal(ch.isPrivate, ch.sub)));
  }

  function untrack(ch: Channel) {
    if (!ch.presence) return;
    const { key, meta } = ch.presence;
    ch.presence = null;
    presenceDiff(internal(ch.isPrivate, ch.sub), {}, { [key]: { metas: [meta] } });
  }

  /** Removes a channel; `reason` sends a system error first; `close` sends phx_close. */
  function stopChannel(ch: Channel, opts: { close: boolean; reason?: string }) {
    if (ch.sock.channels.get(ch.topic) !== ch) return;
    ch.sock.channels.delete(ch.topic);
    if (ch.expiry) clearTimeout(ch.expiry);
    const key = internal(ch.isPrivate, ch.sub);
    topics.get(key)?.delete(ch);
    if (topics.get(key)?.size === 0) topics.delete(key);
    untrack(ch);
    if (opts.reason) send(ch.sock, ch.joinRef, null, ch.topic, 'system', { extension: 'system', status: 'error', message: opts.reason, channel: ch.sub });
    if (opts.close) send(ch.sock, ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
  }

  function scheduleExpiry(ch: Channel) {
    if (ch.expiry) clearTimeout(ch.expiry);
    const ms = Number(ch.claims.exp) * 1000 - Date.now();
    ch.expiry = setTimeout(() => stopChannel(ch, { close: true, reason: 'Token has expired 0 seconds ago' }), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    ch.expiry.unref();
  }

  async function join(sock: Socket, msg: Incoming) {
    const sub = msg.topic.startsWith('realtime:') ? msg.topic.slice('realtime:'.length) : msg.topic;
    const fail = (reason: string) => reply(sock, msg, 'error', { reason });
    if (!sub) return fail('TopicNameRequired: You must provide a topic name');
    const p = (msg.payload ?? {}) as Record<string, any>;
    const config = (p.config ?? {}) as Record<string, any>;
    const bool = (v: unknown, d = false) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : d);
    const given = typeof p.access_token === 'string' ? p.access_token : typeof p.user_token === 'string' ? p.user_token : null;
    // An sb_ key as access_token means "use the connect token".
    const token = given && !given.startsWith('sb_') ? given : sock.token;
    let claims: Claims;
    try {
      claims = token === sock.token ? sock.claims : await verify(token);
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
        read = await checkRead(pool, claims, sub, presenceEnabled);
      } catch (err) {
        if (err instanceof DatabaseUnreachable) return fail(err.message);
        throw err;
      }
      if (!read.broadcast && !read.presence) return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`);
    }
    // A second join of the same topic on this socket closes the first.
    const old = sock.channels.get(msg.topic);
    if (old) stopChannel(old, { close: true });
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
    subscribers(internal(isPrivate, sub)).add(ch);
    scheduleExpiry(ch);
    const changes = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
    reply(sock, msg, 'ok', {
      postgres_changes: changes.map((c: Record<string, unknown>, i: number) => ({ ...c, id: hashId(JSON.stringify(c), i) })),
    });
    if (presenceEnabled && (!isPrivate || read.presence)) sendPresenceState(ch);
  }

  function hashId(s: string, i: number): number {
    let h = 2166136261 + i;
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619) >>> 0;
    return h % 100_000_000;
  }

  async function mayWrite(ch: Channel, extension: 'broadcast' | 'presence'): Promise<boolean> {
    if (!ch.isPrivate || ch.claims.role === 'service_role') return true;
    const cached = ch.write[extension];
    if (cached !== undefined) return cached;
    const ok = await checkWrite(pool, ch.claims, ch.sub, extension);
    if (ok !== null) ch.write[extension] = ok;
    return ok === true;
  }

  // Frames for one socket within one tick (a message's broadcasts to a company and a conversation arrive
  // together) leave in one write: one wake-up of the client instead of several.
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

  /** Delivers a broadcast to every subscriber of an internal topic that may read it. */
  function fanOut(
    key: string,
    event: string,
    body: { json: true; value: unknown; raw?: Buffer } | { json: false; raw: Buffer },
    opts: { except?: Channel; meta?: Record<string, unknown>; textFrame?: boolean },
  ) {
    const subs = topics.get(key);
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

  function safeParse(b: Buffer): unknown {
    try {
      return JSON.parse(b.toString('utf8'));
    } catch {
      return null;
    }
  }

  async function broadcast(sock: Socket, msg: Incoming) {
    const ch = sock.channels.get(msg.topic);
    if (!ch) return unmatched(sock, msg);
    if (!(await mayWrite(ch, 'broadcast'))) return; // silently dropped, as Realtime does (no ack)
    const key = internal(ch.isPrivate, ch.sub);
    if (msg.binary) {
      const body = msg.binary.json ? { json: true as const, value: undefined, raw: msg.binary.payload } : { json: false as const, raw: msg.binary.payload };
      fanOut(key, msg.binary.event, body, { except: ch.self ? undefined : ch });
    } else {
      const p = (msg.payload ?? {}) as Record<string, unknown>;
      const event = String(p.event ?? '');
      fanOut(key, event, { json: true, value: p.payload }, { except: ch.self ? undefined : ch, textFrame: true });
    }
    if (ch.ack) reply(sock, msg, 'ok', {});
  }

  async function presence(sock: Socket, msg: Incoming) {
    const ch = sock.channels.get(msg.topic);
    if (!ch) return unmatched(sock, msg);
    const p = (msg.payload ?? {}) as Record<string, any>;
    if (p.event === 'untrack') {
      untrack(ch);
      return reply(sock, msg, 'ok', {});
    }
    if (p.event !== 'track') return reply(sock, msg, 'error', { reason: 'unknown presence event' });
    // Realtime authorizes a private track before looking at its payload: presence read first if the join did not
    // check it (presence was off), then presence write. Refused: an error reply without a reason.
    if (ch.isPrivate && ch.claims.role !== 'service_role' && ch.read.presence === null) {
      try {
        ch.read = { ...ch.read, presence: (await checkRead(pool, ch.claims, ch.sub, true)).presence };
      } catch (err) {
        if (err instanceof DatabaseUnreachable) return reply(sock, msg, 'error', {});
        throw err;
      }
    }
    if (!(await mayWrite(ch, 'presence'))) return reply(sock, msg, 'error', {});
    const payload = p.payload;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return reply(sock, msg, 'error', { reason: 'Presence track payload must be a map' });
    }
    if (!ch.presenceEnabled) {
      ch.presenceEnabled = true;
      if (!ch.isPrivate || ch.read.presence) sendPresenceState(ch);
    }
    const key = internal(ch.isPrivate, ch.sub);
    const prev = ch.presence;
    if (prev && JSON.stringify(stripRefs(prev.meta)) === JSON.stringify(payload)) return reply(sock, msg, 'ok', {});
    const meta: Record<string, unknown> = { ...payload, phx_ref: phxRef() };
    if (prev) meta.phx_ref_prev = prev.meta.phx_ref;
    ch.presence = { key: ch.presenceKey, meta };
    reply(sock, msg, 'ok', {});
    presenceDiff(key, { [ch.presenceKey]: { metas: [meta] } }, prev ? { [prev.key]: { metas: [prev.meta] } } : {});
  }

  function stripRefs(meta: Record<string, unknown>) {
    const { phx_ref: _a, phx_ref_prev: _b, ...rest } = meta;
    return rest;
  }

  async function accessToken(sock: Socket, msg: Incoming) {
    const ch = sock.channels.get(msg.topic);
    if (!ch) return;
    const token = (msg.payload as Record<string, unknown> | null)?.access_token;
    if (typeof token !== 'string' || token.startsWith('sb_') || token === ch.token) return;
    let claims: Claims;
    try {
      claims = await verify(token);
    } catch (err) {
      return stopChannel(ch, { close: true, reason: tokenError(err, token).replace(/^InvalidJWTToken: /, '') });
    }
    if (ch.isPrivate && claims.role !== 'service_role') {
      let read: ReadGrant;
      try {
        read = await checkRead(pool, claims, ch.sub, ch.presenceEnabled);
      } catch (err) {
        if (err instanceof DatabaseUnreachable) return stopChannel(ch, { close: true, reason: err.message });
        throw err;
      }
      // As realtime_channel.ex: nothing readable any more is the join's refusal; losing one of two reads closes too.
      if (!read.broadcast && !read.presence) {
        return stopChannel(ch, { close: true, reason: `You do not have permissions to read from this Channel topic: ${ch.sub}` });
      }
      const revoked = (before: boolean | null, now: boolean | null) => before === true && now === false;
      if (revoked(ch.read.broadcast, read.broadcast) || revoked(ch.read.presence, read.presence)) {
        return stopChannel(ch, { close: true, reason: `You no longer have permission to read from this Channel topic: ${ch.sub}` });
      }
      ch.read = read;
    }
    ch.claims = claims;
    ch.token = token;
    ch.write = {};
    scheduleExpiry(ch);
  }

  async function onMessage(sock: Socket, data: Buffer, isBinary: boolean) {
    sock.lastSeen = Date.now();
    const msg = decode(sock.vsn, data, isBinary);
    if (!msg) return;
    if (msg.topic === 'phoenix') {
      if (msg.event === 'heartbeat') reply(sock, msg, 'ok', {});
      return;
    }
    switch (msg.event) {
      case 'phx_join':
        return join(sock, msg);
      case 'phx_leave': {
        const ch = sock.channels.get(msg.topic);
        reply(sock, msg, 'ok', {});
        if (ch) stopChannel(ch, { close: true });
        return;
      }
      case 'broadcast':
        return broadcast(sock, msg);
      case 'presence':
        return presence(sock, msg);
      case 'access_token':
        return accessToken(sock, msg);
      default:
        if (!sock.channels.has(msg.topic)) return unmatched(sock, msg);
    }
  }

  function dropSocket(sock: Socket) {
    if (!sockets.delete(sock)) return;
    for (const ch of [...sock.channels.values()]) stopChannel(ch, { close: false });
  }

  const idleTimer = setInterval(() => {
    const now = Date.now();
    for (const s of sockets) if (now - s.lastSeen > IDLE_MS) s.ws.terminate();
  }, Math.min(5000, Math.max(250, IDLE_MS / 4)));
  idleTimer.unref();

  // ---- database broadcasts: LISTEN for committed realtime.messages rows and fan them out ----
  // A notification carries the row as JSON, or (too large for NOTIFY, or binary) only '<id> <inserted_at>':
  // then the row is read. Either way rows go out in commit order: while a read is under way, the rows that
  // follow wait behind it.
  let listener: pg.Client | null = null;
  let closed = false;
  let lastInsertedAt: string | null = null;
  const recent = new Set<string>();
  const recentOrder: string[] = [];
  type Row = { id: string; topic: string; event: string | null; payload: unknown; binary_payload: Buffer | null; private: boolean | null; inserted_at: string };
  const pending: ({ id: string } | { row: Row })[] = [];
  let flushing: Promise<void> | null = null;

  function remember(id: string) {
    recent.add(id);
    recentOrder.push(id);
    if (recentOrder.length > 20_000) recent.delete(recentOrder.shift()!);
  }

  function deliverRow(row: Row) {
    if (!lastInsertedAt || row.inserted_at > lastInsertedAt) lastInsertedAt = row.inserted_at;
    if (recent.has(row.id)) return;
    remember(row.id);
    const key = internal(Boolean(row.private), row.topic);
    const body = row.binary_payload ? { json: false as const, raw: row.binary_payload } : { json: true as const, value: row.payload };
    fanOut(key, row.event ?? '', body, { meta: { id: row.id } });
  }

  async function flush() {
    while (pending.length) {
      const head = pending[0]!;
      if ('row' in head) {
        pending.shift();
        deliverRow(head.row);
        continue;
      }
      let n = 0;
      while (n < pending.length && n < 500 && 'id' in pending[n]!) n++;
      const batch = pending.slice(0, n).map((p) => (p as { id: string }).id);
      try {
        const { rows } = await pool.query<Row>(
          `select id::text, topic, event, payload, binary_payload, private, inserted_at::text as inserted_at
             from realtime.messages where id = any($1::uuid[]) and extension = 'broadcast'`,
          [batch],
        );
        pending.splice(0, n);
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const id of batch) {
          const row = byId.get(id);
          if (row) deliverRow(row);
        }
      } catch (err) {
        ctx.log('realtime', `reading broadcast rows failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        if (closed) return;
      }
    }
  }

  function kick() {
    if (flushing) return;
    flushing = flush().finally(() => {
      flushing = null;
      if (pending.length && !closed) kick();
    });
  }

  function onNotification(text: string) {
    if (text.startsWith('{')) {
      let row: Row;
      try {
        const j = JSON.parse(text);
        row = { id: j.id, topic: j.topic, event: j.event, payload: j.payload, binary_payload: null, private: j.private, inserted_at: j.inserted_at };
      } catch {
        return;
      }
      // Nothing waiting ahead of it: out at once, in this tick (frames for one socket leave in one write).
      if (!pending.length && !flushing) return deliverRow(row);
      pending.push({ row });
    } else {
      const id = text.split(' ')[0];
      if (!id) return;
      pending.push({ id });
    }
    kick();
  }

  /** Rows committed while the listener was away (e.g. Postgres restarted) are read back by time. */
  async function catchUp() {
    if (!lastInsertedAt) return;
    const { rows } = await pool.query<Row>(
      `select id::text, topic, event, payload, binary_payload, private, inserted_at::text as inserted_at
         from realtime.messages where extension = 'broadcast' and inserted_at >= $1::timestamp order by inserted_at, id limit 10000`,
      [lastInsertedAt],
    );
    for (const r of rows) deliverRow(r);
  }

  async function listen(attempt = 0): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: cfg.adminDbUrl });
    const retry = () => {
      if (closed) return;
      listener = null;
      const delay = Math.min(5000, 200 * 2 ** Math.min(attempt, 5));
      setTimeout(() => void listen(attempt + 1), delay).unref();
    };
    client.on('error', () => undefined);
    client.on('end', () => {
      if (listener === client) retry();
    });
    client.on('notification', (n) => {
      if (n.payload) onNotification(n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
      listener = client;
      attempt = 0;
      await catchUp().catch((err) => ctx.log('realtime', `catch-up failed: ${err.message}`));
    } catch {
      await client.end().catch(() => undefined);
      retry();
    }
  }
  const listening = listen();
  // Start counting from now, so a catch-up after a restart only replays rows the listener missed.
  pool
    .query(`select (now() at time zone 'utc')::timestamp::text as t`)
    .then((r) => {
      lastInsertedAt ??= r.rows[0].t;
    })
    .catch(() => undefined);

  // ---- REST broadcast ----
  async function restClaims(req: IncomingMessage): Promise<Claims | null> {
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
    const token = m?.[1] ?? (typeof req.headers.apikey === 'string' ? req.headers.apikey : null);
    if (!token) return null;
    try {
      return await verify(token);
    } catch {
      return null;
    }
  }

  async function restBroadcast(req: IncomingMessage, res: ServerResponse, path: string, url: URL) {
    const claims = await restClaims(req);
    if (!claims) return sendJson(res, 401, { message: 'Unauthorized' });
    const raw = await readBody(req, 8 * 1024 * 1024);
    const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
    if (single) {
      const sub = decodeURIComponent(single[1]!).replace(/^realtime:/, '');
      const event = decodeURIComponent(single[2]!);
      const isPrivate = url.searchParams.get('private') === 'true';
      const json = !String(req.headers['content-type'] ?? 'application/json').includes('octet-stream');
      if (json && raw.length && safeParse(raw) === null && raw.toString().trim() !== 'null') return sendJson(res, 422, { error: 'payload must be JSON' });
      if (!isPrivate || claims.role === 'service_role' || (await checkWrite(pool, claims, sub, 'broadcast')) === true) {
        fanOut(internal(isPrivate, sub), event, json ? { json: true, value: undefined, raw } : { json: false, raw }, {});
      }
      res.writeHead(202).end();
      return;
    }
    if (path !== '/api/broadcast') return sendJson(res, 404, { message: 'Not found' });
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 422, { errors: { messages: ['is invalid'] } });
    }
    const messages = body?.messages;
    if (!Array.isArray(messages)) return sendJson(res, 422, { errors: { messages: ["can't be blank"] } });
    for (const [i, m] of messages.entries()) {
      if (!m || typeof m.topic !== 'string' || !m.topic || typeof m.event !== 'string' || !m.payload || typeof m.payload !== 'object') {
        return sendJson(res, 422, { errors: { messages: [{ index: i, message: 'topic, event and payload (an object) are required' }] } });
      }
    }
    for (const m of messages) {
      const sub = String(m.topic).replace(/^realtime:/, '');
      const isPrivate = m.private === true;
      if (isPrivate && claims.role !== 'service_role' && (await checkWrite(pool, claims, sub, 'broadcast')) !== true) continue;
      fanOut(internal(isPrivate, sub), m.event, { json: true, value: m.payload }, { textFrame: true, meta: m.id ? { id: m.id } : undefined });
    }
    res.writeHead(202).end();
  }

  return {
    async handle(req, res, path, url) {
      if (req.method === 'POST' && path.startsWith('/api/broadcast')) return restBroadcast(req, res, path, url);
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
      verify(token).then(
        (claims) => {
          wss.handleUpgrade(req, socket, head, (ws) => {
            const sock: Socket = { ws, vsn, claims, token, lastSeen: Date.now(), channels: new Map() };
            sockets.add(sock);
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
      closed = true;
      clearInterval(idleTimer);
      for (const s of sockets) s.ws.terminate();
      sockets.clear();
      await listening.catch(() => undefined);
      const l = listener;
      listener = null;
      await l?.end().catch(() => undefined);
      wss.close();
    },
  };
};
