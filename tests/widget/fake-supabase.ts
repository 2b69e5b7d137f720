// A test double of the outside the widget's sync engine talks to: Supabase Auth's anonymous sign-in, the widget
// Edge Functions over HTTP (a fake `fetch`) and Realtime channels (realtime-js's client surface). It exists so the
// engine's rules can be proven under sequences the real stack cannot produce on demand (a refusal, a 503, a
// dropped channel at a chosen moment); the e2e specs drive the same engine against the real stack in Chromium.
import type { ChannelLike, RealtimeLike } from '../../widget/src/sync/ports.ts';
import type { ChatMessage } from '../../widget/src/text.ts';

type Row = ChatMessage;
export interface Failure {
  status: number;
  code: string;
  retryAfter?: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A microsecond UTC timestamp as the functions answer it. */
const stamp = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000Z`;

export class FakeChannel implements ChannelLike {
  handlers: ((m: { payload: unknown }) => void)[] = [];
  /** conversation.updated listeners. */
  updates: ((m: { payload: unknown }) => void)[] = [];
  status: ((s: string) => void) | null = null;
  removed = false;
  tracked: Record<string, unknown>[] = [];
  constructor(readonly topic: string) {}
  on(_type: 'broadcast', filter: { event: string }, cb: (m: { payload: unknown }) => void) {
    if (filter.event === 'message.created') this.handlers.push(cb);
    if (filter.event === 'conversation.updated') this.updates.push(cb);
    return this;
  }
  subscribe(cb?: (status: string) => void) {
    this.status = cb ?? null;
    // Realtime answers the join a moment later (the live signals' topics subscribe without a callback).
    queueMicrotask(() => !this.removed && cb?.('SUBSCRIBED'));
    return this;
  }
  async track(payload: Record<string, unknown>) {
    this.tracked.push(payload);
    return 'ok';
  }
  get live() {
    return !this.removed && this.status !== null;
  }
}

export class FakeSupabase {
  /** Stored messages, as the database holds them. */
  rows: Row[] = [];
  conversationId: string | null = null;
  visitorId = crypto.randomUUID();
  /** Every function call, in order: `POST widget-messages <id>`, `GET widget-messages after=<id>`, … */
  calls: string[] = [];
  /** History page size (the function's `limit`). */
  pageSize = 50;
  /** Answers for the next calls to a route (`signup`, `widget-session`, `widget-messages:POST`), taken in turn. */
  failures: Record<string, Failure[]> = {};
  /** A message body the function refuses for good (as it refuses an over-long one). */
  refuses: (body: string) => Failure | null = () => null;
  channels: FakeChannel[] = [];
  /** The newest message an agent has read (the history's agentRead). */
  agentRead: string | null = null;
  /** The conversation's status and its updated_at (the history's status and statusAt). */
  conversation = { status: 'open', updatedAt: stamp(Date.now()) };
  /** While set, history answers wait for it, with what they read when asked (a slow catch-up). */
  holdHistory: Promise<void> | null = null;
  /** The server's clock: now, and never twice the same millisecond. */
  private lastMs = 0;

  fail(route: string, ...failures: Failure[]) {
    (this.failures[route] ??= []).push(...failures);
  }

  /** Stores a message as the database would (id unique, time from the server's clock) and broadcasts it. */
  store(m: Partial<Row> & { body: string }): Row {
    const row: Row = { id: crypto.randomUUID(), conversationId: this.conversationId!, senderKind: 'agent', authorName: 'Sam', createdAt: stamp((this.lastMs = Math.max(Date.now(), this.lastMs + 1))), ...m };
    this.rows.push(row);
    this.broadcast(row);
    return row;
  }

  /** `message.created` as realtime.send delivers it to the conversation's live channels (a snake_case row). */
  broadcast(row: Row, conversationId = row.conversationId) {
    const payload = { id: row.id, conversation_id: conversationId, sender_kind: row.senderKind, author_name: row.authorName, body: row.body, created_at: row.createdAt };
    for (const c of this.channels) if (c.live && c.topic === `conversation:${row.conversationId}`) for (const h of c.handlers) h({ payload });
  }

  /** An agent changes the status: updated_at moves on and conversation.updated goes to the live channels. */
  setStatus(status: string) {
    this.conversation = { status, updatedAt: stamp((this.lastMs = Math.max(Date.now(), this.lastMs + 1))) };
    const payload = { id: this.conversationId, status, agent_last_read_message_id: this.agentRead, updated_at: this.conversation.updatedAt.replace('Z', '+00:00') };
    for (const c of this.channels) if (c.live && c.topic === `conversation:${this.conversationId}`) for (const h of c.updates) h({ payload });
  }

  /** Realtime ends every live channel (as after a token it cannot check). */
  dropChannels() {
    for (const c of this.channels.filter((x) => x.live)) {
      c.removed = true;
      c.status?.('CLOSED');
    }
  }

  /** The stored history in the database's order: time, then id. */
  ordered() {
    return [...this.rows].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
  }

  realtime: RealtimeLike = {
    setAuth: async () => undefined,
    channel: (topic) => {
      const c = new FakeChannel(topic);
      this.channels.push(c);
      return c;
    },
    removeChannel: async (c) => {
      (c as FakeChannel).removed = true;
      return 'ok';
    },
  };

  fetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const body = init.body ? JSON.parse(String(init.body)) : {};
    const route = url.pathname.split('/').at(-1)!;
    const method = init.method ?? 'GET';
    const failure = (this.failures[route === 'widget-messages' ? `${route}:${method}` : route] ?? []).shift();
    if (failure) {
      this.calls.push(`${method} ${route}${body.id ? ` ${body.id}` : ''} → ${failure.status}`);
      return json(failure.status, { code: failure.code, error_code: failure.code, message: failure.code, msg: failure.code }, failure.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {});
    }
    if (route === 'signup' || route === 'token') {
      this.calls.push(`POST ${route}`);
      return json(200, { access_token: 'visitor-jwt', refresh_token: 'r', expires_at: Math.floor(Date.now() / 1000) + 3600, user: { id: this.visitorId } });
    }
    if (route === 'widget-session') {
      this.calls.push(`POST widget-session${body.firstMessage ? ` ${body.firstMessage.id}` : ''}`);
      this.conversationId ??= crypto.randomUUID();
      const messages = body.firstMessage ? [this.rows.find((r) => r.id === body.firstMessage.id) ?? this.store({ id: body.firstMessage.id, body: body.firstMessage.body, senderKind: 'visitor', authorName: null })] : [];
      return json(200, { conversation: { id: this.conversationId }, visitor: { id: this.visitorId, name: body.name ?? null }, messages });
    }
    if (route === 'widget-messages' && method === 'POST') {
      this.calls.push(`POST widget-messages ${body.id}`);
      if (body.conversationId !== this.conversationId) return json(404, { code: 'conversation_not_found', message: 'no such conversation' });
      const refused = this.refuses(body.body);
      if (refused) return json(refused.status, { code: refused.code, message: refused.code });
      // Idempotent by the client's id: a retry gets the stored row back, never a copy.
      const message = this.rows.find((r) => r.id === body.id) ?? this.store({ id: body.id, body: body.body, senderKind: 'visitor', authorName: null });
      return json(201, { message });
    }
    if (route === 'widget-messages' && method === 'GET') {
      const after = url.searchParams.get('after');
      this.calls.push(`GET widget-messages${after ? ` after=${after}` : ''}`);
      if (url.searchParams.get('conversationId') !== this.conversationId) return json(404, { code: 'conversation_not_found', message: 'no such conversation' });
      const all = this.ordered();
      const from = after ? all.findIndex((r) => r.id === after) + 1 : 0;
      const page = all.slice(from, from + this.pageSize + 1);
      const { status, updatedAt } = this.conversation;
      const agentRead = this.agentRead ? { messageId: this.agentRead } : null;
      if (this.holdHistory) await this.holdHistory;
      return json(200, { messages: page.slice(0, this.pageSize), hasMore: page.length > this.pageSize, agentRead, status, statusAt: updatedAt });
    }
    return json(404, { code: 'not_found', message: `${method} ${url.pathname}` });
  };
}
