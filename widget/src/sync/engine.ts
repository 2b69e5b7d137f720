// The panel's sync engine (no UI): the outbox sent in order under client ids with retry and backoff, catch-up
// from the database, the conversation's Realtime channel (join, rejoin), unread counts and read marks.
// Never lost, never doubled: every message has a client-generated id, unsent ones wait in storage and are
// retried under the same id, and the list is merged by id after every reconnect, focus or reload.
import type { Attachment } from '../../../functions/_shared/attachment-rules.ts';
import { hasControlCharacters, stripControlCharacters } from '../../../functions/_shared/text-rules.ts';
import { utcMicros } from '../../../functions/_shared/time.ts';
import { isHttpError } from '../client.ts';
import type { LiveSignals } from '../live.ts';
import { afterFailure, nextToSend, type Outgoing, parseOutbox } from '../outbox.ts';
import type { Identity } from '../shared.ts';
import { type ChatMessage, mergeMessages } from '../text.ts';
import { catchUpCursor } from './catch-up.ts';
import { conversationChannel } from './conversation-channel.ts';
import { afterError } from './failure.ts';
import { LiveHandover } from './live-handover.ts';
import type { ChannelLike, Prechat, RealtimeLike, SyncDeps } from './ports.ts';
import { markSeen, noteAlive, readSeen } from './read-marks.ts';

/** Visitor-supplied text other than messages (name, page title…) is sent without control characters. */
const clean = (v?: string) => (v ? stripControlCharacters(v) : undefined);

export class ChatSync {
  messages: ChatMessage[] = [];
  conversationId: string | null;
  visitorId: string | null;
  notice: string | null = null;
  /** Whether the notice offers a retry button (sign-in refused for now). */
  canRetry = false;
  /** What identify() said; the away chunk sends it to widget-identify (verified when it carries a userHash). */
  identity: Identity = {};
  /** The attachments tray of the next message (made by the view once the attachments chunk is loaded). */
  tray: { busy: boolean } | null = null;
  unread = 0;
  /** The conversation's status as last heard (catch-up or conversation.updated); resolved shows the rating prompt and the transcript button. */
  status?: string;
  /** The conversation's updated_at that status is from: an older answer (a catch-up sent before a resolve) never
   * replaces a newer one. */
  private statusAt = '';
  rerender: () => void = () => undefined;
  /** Typing, who is there and read marks (issue 18): a lazy chunk (d.live), loaded on the first connect. */
  private handover = new LiveHandover();
  private realtime: RealtimeLike | null = null;
  private channel: ChannelLike | null = null;
  private flushing = false;
  private cancelRetry: (() => void) | null = null;
  /** The next backoff after a 5xx or network error; doubles up to a minute, reset by a success. */
  private backoff = 3000;
  /** The pre-chat form's answers, kept for a start that is retried later. */
  private prechat?: Prechat;
  /** Ids of messages read from the history (or the session's answer), i.e. with everything before them. */
  private synced = new Set<string>();

  get live(): LiveSignals | null {
    return this.handover.live;
  }

  constructor(private d: SyncDeps) {
    this.conversationId = d.get('conversation');
    this.visitorId = d.get('visitor');
    this.messages = this.outbox().map((o) => this.optimistic(o));
    if (this.conversationId) void this.connect();
  }

  /** Another tab started (or switched) the conversation: join it. */
  adopt(conversationId: string) {
    if (conversationId === this.conversationId) return;
    this.conversationId = conversationId;
    this.visitorId = this.d.get('visitor');
    void this.connect();
  }

  private outbox(): Outgoing[] {
    return parseOutbox(this.d.get('outbox'));
  }

  private setOutbox(items: Outgoing[]) {
    this.d.set('outbox', JSON.stringify(items));
  }

  private optimistic(o: Outgoing): ChatMessage {
    return { id: o.id, conversationId: this.conversationId ?? '', senderKind: 'visitor', authorName: null, body: o.body, createdAt: o.createdAt, state: o.refused ? 'failed' : 'sending', reason: o.refused, attachments: o.attachments };
  }

  setNotice(n: string | null, canRetry = false) {
    this.notice = n;
    this.canRetry = canRetry;
    this.rerender();
  }

  /** Keeps a message as failed (in the outbox, so across reloads) and stops sending it. */
  private refuse(id: string, code: string) {
    this.setOutbox(this.outbox().map((o) => (o.id === id ? { ...o, refused: code } : o)));
    this.messages = this.messages.map((m) => (m.id === id ? { ...m, state: 'failed', reason: code } : m));
    this.rerender();
  }

  /** The visitor dropped (or took back to edit) a failed message. */
  drop(id: string) {
    this.setOutbox(this.outbox().filter((o) => o.id !== id));
    this.messages = this.messages.filter((m) => m.id !== id || !m.state);
    this.rerender();
  }

  /**
   * Adds server messages; counts agent replies after the last one seen as unread while the panel is closed, and
   * notes the conversation's last sign of life (the launcher keeps a socket on the next page view only then).
   */
  add(incoming: ChatMessage[]) {
    const { host } = this.d;
    const known = new Set(this.messages.map((m) => m.id));
    const fresh = incoming.filter((m) => !known.has(m.id));
    this.messages = mergeMessages(this.messages, incoming);
    const seenAt = readSeen(this.d)?.at ?? '';
    for (const m of fresh) {
      host.emit('message', m);
      if (m.senderKind !== 'visitor' && !host.isOpen() && m.createdAt > seenAt) this.unread += 1;
    }
    // Every stored message is a sign of life, also our own sent one (it replaces its optimistic copy: not fresh).
    for (const m of incoming) this.alive(Date.parse(m.createdAt));
    if (fresh.length) host.setUnread(host.isOpen() ? 0 : this.unread);
    if (fresh.some((m) => m.senderKind !== 'visitor')) this.live?.typist.clear();
    if (host.isOpen() && this.conversationId) {
      markSeen(this.d, this.messages);
      this.live?.markSeen(this.conversationId, this.messages);
    }
    this.rerender();
  }

  private alive(at: number) {
    if (this.conversationId) noteAlive(this.d, at);
  }

  private read(messages: ChatMessage[]) {
    this.add(messages);
    for (const m of messages) this.synced.add(m.id);
  }

  async catchUp() {
    if (!this.conversationId) return;
    try {
      let after = catchUpCursor(this.messages, this.synced);
      for (;;) {
        const { data } = await this.d.api.history(this.conversationId, after);
        this.read(data.messages);
        this.agentRead(data.agentRead?.messageId, data.status, data.statusAt);
        if (!data.hasMore || !data.messages.length) break;
        after = data.messages[data.messages.length - 1]!.id;
      }
      if (this.d.online() && this.notice === this.d.t.offline) this.setNotice(null);
    } catch (err) {
      if (isHttpError(err) && err.code === 'conversation_not_found') this.forget();
    }
  }

  /** After a reconnect, tab focus or coming back online: fetch what was missed, send what is waiting. */
  resync() {
    void this.catchUp().then(() => this.flush());
  }

  private forget() {
    this.conversationId = null;
    this.d.remove('conversation');
    this.messages = [];
    this.synced.clear();
    this.rerender();
  }

  async connect() {
    if (!this.conversationId) return;
    await this.catchUp();
    void this.flush();
    let session: Awaited<ReturnType<SyncDeps['api']['session']>>;
    try {
      session = await this.d.api.session();
    } catch (err) {
      this.failed(err);
      return;
    }
    if (!this.realtime) {
      this.d.api.keepFresh(() => void this.realtime?.setAuth());
      this.realtime = this.d.realtime();
    }
    // No token argument: a manual token would stop realtime-js from asking `accessToken` for fresh ones.
    await this.realtime.setAuth();
    const old = this.channel;
    this.channel = null; // our own removal below must not look like Realtime ending the channel
    if (old) await this.realtime.removeChannel(old);
    const conversationId = this.conversationId;
    const channel = conversationChannel(this.realtime, conversationId, this.visitorId ?? session.user.id, {
      // Never in place of a copy already read from the database.
      message: (m) => !this.messages.some((x) => x.id === m.id) && this.add([m]),
      updated: (readId, status, at) => this.agentRead(readId, status, at),
    });
    this.handover.join(this.realtime, conversationId);
    this.handover.load(this.d.live, this.realtime, (live) => {
      if (this.d.host.isOpen() && this.conversationId) live.markSeen(this.conversationId, this.messages);
      this.rerender();
    });
    channel.subscribe((status) => {
      if (status === 'SUBSCRIBED') {
        void channel.track({ kind: 'visitor', visitor_id: this.visitorId, online_at: new Date().toISOString() });
        this.resync();
      } else if (status === 'CLOSED' && this.channel === channel) {
        // Realtime ended the channel (e.g. a refreshed token could not be checked): join a new one.
        this.d.later(() => this.channel === channel && void this.connect(), 1000);
      }
    });
    this.channel = channel;
  }

  /** The agents' read mark and the conversation's status, from the catch-up or a conversation.updated. */
  private agentRead(messageId: unknown, status?: string, at?: string) {
    this.handover.read(messageId);
    if (!at || at >= this.statusAt) {
      this.status = status;
      if (at) this.statusAt = at;
    }
    this.rerender();
  }

  async send(body: string, prechat?: Prechat, attachments?: Attachment[]) {
    if (prechat) this.prechat = prechat;
    const item: Outgoing = { id: crypto.randomUUID(), body, createdAt: utcMicros(new Date().toISOString()) };
    if (attachments?.length) item.attachments = attachments;
    // Text the server would refuse is shown failed at once, never sent.
    if (hasControlCharacters(body)) item.refused = 'invalid_characters';
    this.setOutbox([...this.outbox(), item]);
    this.messages = mergeMessages(this.messages, [this.optimistic(item)]);
    this.rerender();
    if (!this.conversationId) {
      if (item.refused) return;
      await this.start(prechat);
    }
    await this.flush();
  }

  /** Starts the conversation (the first queued message goes with it). */
  private async start(prechat = this.prechat) {
    const { d } = this;
    const first = nextToSend(this.outbox());
    try {
      // Signed in first: a refused sign-in is not the message's fault.
      await d.api.session();
    } catch (err) {
      this.failed(err);
      return;
    }
    try {
      const page = d.page();
      const { data } = await d.api.startSession({
        name: clean(prechat?.name || this.identity.name),
        email: clean(prechat?.email || this.identity.email),
        phone: clean(prechat?.phone),
        firstMessage: first ? { id: first.id, body: first.body } : undefined,
        page: { url: page.url.slice(0, 2048), title: clean(page.title)?.slice(0, 300) },
        locale: d.host.locale,
      });
      this.conversationId = data.conversation.id;
      this.visitorId = data.visitor.id;
      d.set('visitor', data.visitor.id);
      d.set('conversation', data.conversation.id);
      if (first) this.setOutbox(this.outbox().filter((o) => o.id !== first.id));
      this.setNotice(null);
      this.read(data.messages);
      void this.connect();
    } catch (err) {
      // Refused for good: the first message stays failed (the visitor can edit or drop it); the notice says why.
      if (first && isHttpError(err) && afterFailure(err.status) === 'refused') this.refuse(first.id, err.code);
      this.failed(err);
    }
  }

  private failed(err: unknown) {
    const after = afterError(err, this.d.t, this.d.online(), this.backoff);
    this.setNotice(after.notice, after.canRetry);
    if (after.retryIn !== undefined) this.retryLater(after.retryIn);
    if (after.backedOff) this.backoff = Math.min(this.backoff * 2, 60_000);
  }

  /** The notice's retry button. */
  retryNow() {
    this.setNotice(null);
    this.retryLater(0);
  }

  private retryLater(ms: number) {
    this.cancelRetry?.();
    this.cancelRetry = this.d.later(() => {
      this.cancelRetry = null;
      if (!this.conversationId) void this.start();
      else if (!this.channel) void this.connect();
      else void this.flush();
    }, ms);
  }

  /** Sends queued messages in order, each under its own id (a retry of a stored one returns it, never a copy). */
  async flush() {
    if (this.flushing || !this.conversationId) return;
    this.flushing = true;
    try {
      // Signed in first: a refused sign-in is not the message's fault.
      if (nextToSend(this.outbox())) await this.d.api.session();
      // Re-read the outbox each time: messages queued while a send is under way go out in this same run.
      for (let item = nextToSend(this.outbox()); item; item = nextToSend(this.outbox())) {
        try {
          const { data } = await this.d.api.send(this.conversationId, item.id, item.body, item.attachments);
          this.setOutbox(this.outbox().filter((o) => o.id !== item.id));
          this.add([data.message]);
          this.backoff = 3000;
          if (this.notice) this.setNotice(null);
        } catch (err) {
          // Refused for good (too long, bad characters, …): shown failed, and the rest still go out in order.
          if (isHttpError(err) && afterFailure(err.status) === 'refused') this.refuse(item.id, err.code);
          else throw err;
        }
      }
    } catch (err) {
      this.failed(err);
    } finally {
      this.flushing = false;
    }
  }

  opened() {
    this.unread = 0;
    this.d.host.setUnread(0);
    markSeen(this.d, this.messages);
    if (this.conversationId) this.live?.markSeen(this.conversationId, this.messages);
    this.alive(Date.now());
    this.rerender();
  }

  identify(v: Identity) {
    this.identity = { ...this.identity, ...v };
    this.rerender();
  }
}
