// The service's live state (sockets, channels by internal topic) and the wire helpers every handler uses.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { WebSocket } from 'ws';
import type { StackConfig } from '../config.ts';
import { type Claims, decodeJwt, JwtError, verifyJwt } from '../jwt.ts';
import { checkWrite, type ReadGrant } from './authorization.ts';
import { encodeText, type Incoming, type Vsn } from './frames.ts';

export interface Presence {
  key: string;
  meta: Record<string, unknown>;
}

export interface Channel {
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

export interface Socket {
  ws: WebSocket;
  vsn: Vsn;
  claims: Claims;
  token: string;
  lastSeen: number;
  channels: Map<string, Channel>;
}

/** Internal topic: private and public channels of the same name are separate. */
export const internal = (isPrivate: boolean, sub: string) => `${isPrivate ? 'private' : 'public'}:${sub}`;

export function phxRef(): string {
  return randomBytes(9).toString('base64url');
}

/** Realtime's wording for a token it refuses. */
export function tokenError(err: unknown, token: string): string {
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

export class Hub {
  readonly sockets = new Set<Socket>();
  readonly topics = new Map<string, Set<Channel>>();

  constructor(
    readonly cfg: StackConfig,
    readonly pool: pg.Pool,
  ) {}

  async verify(token: string): Promise<Claims> {
    const claims = await verifyJwt(this.cfg.jwtKeys, token);
    if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') throw new Error('Fields `role` and `exp` are required in JWT');
    return claims;
  }

  send(sock: Socket, joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown) {
    if (sock.ws.readyState === WebSocket.OPEN) sock.ws.send(encodeText(sock.vsn, joinRef, ref, topic, event, payload));
  }

  reply(sock: Socket, msg: Incoming, status: 'ok' | 'error', response: unknown) {
    this.send(sock, msg.joinRef, msg.ref, msg.topic, 'phx_reply', { status, response });
  }

  unmatched(sock: Socket, msg: Incoming) {
    this.send(sock, null, msg.ref, msg.topic, 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } });
  }

  subscribers(key: string): Set<Channel> {
    let set = this.topics.get(key);
    if (!set) this.topics.set(key, (set = new Set()));
    return set;
  }

  /** Whether the channel may send on `extension` (private channels: the policies, cached per token). */
  async mayWrite(ch: Channel, extension: 'broadcast' | 'presence'): Promise<boolean> {
    if (!ch.isPrivate || ch.claims.role === 'service_role') return true;
    const cached = ch.write[extension];
    if (cached !== undefined) return cached;
    const ok = await checkWrite(this.pool, ch.claims, ch.sub, extension);
    if (ok !== null) ch.write[extension] = ok;
    return ok === true;
  }
}
