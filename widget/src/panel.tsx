/** @jsxImportSource preact */
// panel.js — the chat panel, loaded by the launcher on first open (or at idle for a returning visitor).
// The panel shares the launcher's shadow root: its class names must not collide with the launcher's (.l .b .c …).
// Preact for the UI, @supabase/realtime-js for live replies and presence; never the full supabase-js.
// Never lost, never doubled: every message has a client-generated id, unsent ones wait in localStorage and
// are retried under the same id, and the list is merged by id after every reconnect, focus or reload.
import { type RealtimeChannel, RealtimeClient } from '@supabase/realtime-js';
import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../../functions/_shared/attachment-rules.ts';
import { EMAIL_PATTERN, MAX_MESSAGE_LENGTH, PHONE_PATTERN } from '../../functions/_shared/limits.ts';
import { hasControlCharacters, stripControlCharacters } from '../../functions/_shared/text-rules.ts';
import { utcMicros } from '../../functions/_shared/time.ts';
import { panel as de } from '../locales/de.ts';
import { panel as en } from '../locales/en.ts';
import { isHttpError, type WidgetClient } from './client.ts';
import { afterFailure, nextToSend, type Outgoing, parseOutbox } from './outbox.ts';
import { type FieldMode, type PanelApi, type PanelHost, type Seen, storageKey } from './shared.ts';
import { type ChatMessage, linkify, mergeMessages, messageFromBroadcast } from './text.ts';

type Strings = typeof en;
/** The attachments chunk (widget/src/attachments/), loaded once a conversation exists. */
type Att = typeof import('./attachments/index.tsx');
let att: Att | null = null;
type Prechat = { name: string; email: string; phone: string };

const CSS = `
.p{position:fixed;z-index:2147483001;width:370px;height:min(600px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;color:#111;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);font:14px/1.45 system-ui,-apple-system,sans-serif;overflow:hidden}
.p.br{right:20px;bottom:88px}.p.bl{left:20px;bottom:88px}.p.tr{right:20px;top:88px}.p.tl{left:20px;top:88px}
header{background:var(--p,#2563eb);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}
header h2{font-size:16px;margin:0;flex:1}
button{font:inherit;cursor:pointer}
.x{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;padding:2px 6px;border-radius:6px}
.x:focus-visible,.s:focus-visible,input:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid var(--a,#f59e0b);outline-offset:1px}
.m{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}
.g{color:#444;background:#f3f4f6;border-radius:10px;padding:8px 10px}
.bub{max-width:80%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;background:#f3f4f6}
.bub.v{align-self:flex-end;background:var(--p,#2563eb);color:#fff}
.bub.v a{color:#fff}
.bub small{display:block;font-size:11px;opacity:.75}
.n{margin:0 12px 8px;padding:6px 10px;border-radius:8px;background:#fef3c7;color:#78350f;font-size:13px}
form{padding:10px 12px;border-top:1px solid #e5e7eb;display:flex;flex-direction:column;gap:8px}
label{font-size:13px;color:#374151;display:flex;flex-direction:column;gap:3px}
input,textarea{font:inherit;font-size:15px;padding:8px 10px;border:1px solid #d1d5db;border-radius:8px;width:100%;color:#111;background:#fff;resize:none}
[aria-invalid=true]{border-color:#dc2626}
.e{color:#b91c1c;font-size:12px}
.row{display:flex;gap:8px;align-items:flex-end}
.s{background:var(--p,#2563eb);color:#fff;border:0;border-radius:8px;padding:9px 14px}
.u{padding:24px;text-align:center;color:#444}
.bub .k{background:none;border:0;color:inherit;text-decoration:underline;padding:0 8px 0 0;font-size:12px}
.n .k{margin-left:8px}
@media (max-width:640px){.p{inset:0;width:100%;height:100%;border-radius:0}input,textarea{font-size:16px}}
`;

/** How far before the newest message read from the history a catch-up starts again (see cursor()). */
const CATCH_UP_OVERLAP_MS = 10_000;
/** Visitor-supplied text other than messages (name, page title…) is sent without control characters. */
const clean = (v?: string) => (v ? stripControlCharacters(v) : undefined);

function Text({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((p, i) =>
        p.kind === 'link' ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow">
            {p.text}
          </a>
        ) : (
          p.text
        ),
      )}
    </>
  );
}

function Field(props: { name: string; label: string; mode: FieldMode; type: 'text' | 'email' | 'tel'; value: string; error?: string; t: Strings; onInput: (v: string) => void }) {
  if (props.mode === 'off') return null;
  const id = `pl-${props.name}`;
  return (
    <label for={id}>
      <span>
        {props.label} {props.mode === 'optional' ? props.t.optional : ''}
      </span>
      <input
        id={id}
        name={props.name}
        type={props.type as "text"}
        value={props.value}
        required={props.mode === 'required'}
        aria-invalid={props.error ? 'true' : 'false'}
        aria-describedby={props.error ? `${id}-e` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.error && (
        <span id={`${id}-e`} class="e">
          {props.error}
        </span>
      )}
    </label>
  );
}

function Panel({ host, t, state }: { host: PanelHost; t: Strings; state: PanelState }) {
  const [, force] = useState(0);
  state.rerender = () => force((n) => n + 1);
  const list = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const [fields, setFields] = useState({ name: state.identity.name ?? '', email: state.identity.email ?? '', phone: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [draft, setDraft] = useState('');
  useEffect(() => {
    if (state.conversationId && !att) void import('./attachments/index.tsx').then((m) => {
        att = m;
        state.rerender();
      });
  }, [state.conversationId]);
  const tray = att && state.conversationId ? (state.tray ??= new att.Tray(host.client, () => state.conversationId, () => state.rerender(), att.strings(host.locale))) : null;
  const config = host.config;
  // identify() may arrive after the form rendered: fill what the visitor has not typed yet.
  useEffect(() => {
    setFields((f) => ({ ...f, name: f.name || state.identity.name || '', email: f.email || state.identity.email || '' }));
  }, [state.identity.name, state.identity.email]);

  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    if (host.isOpen()) (panelRef.current?.querySelector('input,textarea') as HTMLElement | null)?.focus();
  }, [host.isOpen(), Boolean(state.conversationId)]);

  if (!host.isOpen()) return null;
  const pos = (config?.position ?? 'bottom-right').split('-').map((s) => s[0]).join('');

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      host.close();
      return;
    }
    if (e.key !== 'Tab' || !panelRef.current) return;
    // Keep focus inside the open panel.
    const items = [...panelRef.current.querySelectorAll<HTMLElement>('button,input,textarea,a[href]')].filter((x) => !x.hasAttribute('disabled'));
    const first = items[0];
    const last = items[items.length - 1];
    const active = (panelRef.current.getRootNode() as ShadowRoot).activeElement;
    if (e.shiftKey && active === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first?.focus();
    }
  };

  const header = (
    <header>
      <h2>{config?.title ?? t.unavailableTitle}</h2>
      <button class="x" type="button" aria-label={t.close} onClick={() => host.close()}>
        ×
      </button>
    </header>
  );

  if (!config) {
    return (
      <div class={`p ${pos}`} role="dialog" aria-modal="true" aria-label={t.unavailableTitle} ref={panelRef} onKeyDown={onKeyDown}>
        <style>{CSS}</style>
        {header}
        <p class="u" data-state="unavailable">
          {t.unavailable}
        </p>
      </div>
    );
  }

  const prechat = config.prechat;
  const needsForm = !state.conversationId && (prechat.name !== 'off' || prechat.email !== 'off' || prechat.phone !== 'off');

  const validate = (now: typeof fields, body: string) => {
    const errs: Record<string, string> = {};
    for (const f of ['name', 'email', 'phone'] as const) {
      const v = now[f].trim();
      if (prechat[f] === 'required' && !v) errs[f] = t.required;
      else if (v && f === 'email' && !EMAIL_PATTERN.test(v)) errs[f] = t.invalidEmail;
      else if (v && f === 'phone' && !PHONE_PATTERN.test(v)) errs[f] = t.invalidPhone;
    }
    if (!body) errs.message = t.required;
    setErrors(errs);
    return Object.keys(errs).length === 0;
  };

  const submit = (e?: Event) => {
    e?.preventDefault();
    // What is on screen now, not what the last render saw: an input's update may not have rendered yet.
    const form = (e?.target as HTMLElement | undefined)?.closest('form');
    const value = (name: string, kept: string) => (form?.elements.namedItem(name) as HTMLInputElement | null)?.value ?? kept;
    const body = value('message', draft).trim();
    const now = { name: value('name', fields.name), email: value('email', fields.email), phone: value('phone', fields.phone) };
    if (tray?.busy) return; // the message waits for its uploads
    if (needsForm) {
      if (!validate(now, body)) return;
    } else if (!body && !tray?.items.some((i) => i.done)) return;
    setDraft('');
    void state.send(body, needsForm ? { name: now.name.trim(), email: now.email.trim(), phone: now.phone.trim() } : undefined, tray?.take());
  };

  const composer = (
    <div class="row">
      <label style="flex:1">
        <span style="position:absolute;left:-9999px">{needsForm ? t.firstMessageLabel : t.composerLabel}</span>
        <textarea
          name="message"
          rows={2}
          maxLength={MAX_MESSAGE_LENGTH}
          placeholder={needsForm ? t.firstMessageLabel : t.composerPlaceholder}
          value={draft}
          aria-invalid={errors.message ? 'true' : 'false'}
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
          }}
        />
      </label>
      <button class="s" type="submit">
        {needsForm ? t.start : t.send}
      </button>
    </div>
  );

  return (
    <div class={`p ${pos}`} role="dialog" aria-modal="true" aria-label={config.title} ref={panelRef} onKeyDown={onKeyDown}>
      <style>{CSS}</style>
      {header}
      <div class="m" ref={list} aria-live="polite">
        {config.greeting && <div class="g">{config.greeting}</div>}
        {state.messages.map((m) => (
          <div key={m.id} class={`bub ${m.senderKind === 'visitor' ? 'v' : 'a'}`} data-message-id={m.id} data-state={m.state ?? 'sent'}>
            {m.senderKind !== 'visitor' && <small>{m.authorName ?? t.agent}</small>}
            <Text text={m.body} />
            {m.attachments && att && <att.Files files={m.attachments} client={host.client} locale={host.locale} />}
            {m.state === 'sending' && <small>{t.sending}</small>}
            {m.state === 'failed' && (
              <>
                <small>{m.reason === 'invalid_characters' ? t.invalidCharacters : m.reason === 'message_too_long' ? t.tooLong : t.notSent}</small>
                <button
                  class="k"
                  type="button"
                  onClick={() => {
                    // The text goes back to the composer (without the characters that cannot be sent).
                    setDraft((d) => (d ? `${d}\n` : '') + stripControlCharacters(m.body));
                    state.drop(m.id);
                  }}
                >
                  {t.edit}
                </button>
                <button class="k" type="button" onClick={() => state.drop(m.id)}>
                  {t.drop}
                </button>
              </>
            )}
          </div>
        ))}
      </div>
      {state.notice && (
        <div class="n" role="status">
          {state.notice}
          {state.canRetry && (
            <button class="k" type="button" onClick={() => state.retryNow()}>
              {t.retry}
            </button>
          )}
        </div>
      )}
      <form onSubmit={submit} noValidate>
        {needsForm && (
          <>
            <Field name="name" label={t.nameLabel} mode={prechat.name} type="text" value={fields.name} error={errors.name} t={t} onInput={(v) => setFields({ ...fields, name: v })} />
            <Field name="email" label={t.emailLabel} mode={prechat.email} type="email" value={fields.email} error={errors.email} t={t} onInput={(v) => setFields({ ...fields, email: v })} />
            <Field name="phone" label={t.phoneLabel} mode={prechat.phone} type="tel" value={fields.phone} error={errors.phone} t={t} onInput={(v) => setFields({ ...fields, phone: v })} />
          </>
        )}
        {tray && att && <att.TrayView tray={tray} root={panelRef.current} />}
        {composer}
      </form>
    </div>
  );
}

/** Everything the panel keeps between renders, and the sync logic (no UI). */
class PanelState {
  messages: ChatMessage[] = [];
  conversationId: string | null;
  visitorId: string | null;
  notice: string | null = null;
  /** Whether the notice offers a retry button (sign-in refused for now). */
  canRetry = false;
  identity: { name?: string; email?: string } = {};
  tray: InstanceType<Att['Tray']> | null = null;
  unread = 0;
  rerender: () => void = () => undefined;
  private realtime: RealtimeClient | null = null;
  private channel: RealtimeChannel | null = null;
  private flushing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The next backoff after a 5xx or network error; doubles up to a minute, reset by a success. */
  private backoff = 3000;
  /** The pre-chat form's answers, kept for a start that is retried later. */
  private prechat?: Prechat;
  /** Ids of messages read from the history (or the session's answer), i.e. with everything before them. */
  private synced = new Set<string>();

  constructor(
    private host: PanelHost,
    private client: WidgetClient,
    private t: Strings,
  ) {
    const key = host.options.widgetKey;
    this.conversationId = localStorage.getItem(storageKey(key, 'conversation'));
    this.visitorId = localStorage.getItem(storageKey(key, 'visitor'));
    this.messages = this.outbox().map((o) => this.optimistic(o));
    window.addEventListener('storage', (e) => {
      // Another tab started the conversation: join it.
      if (e.key === storageKey(key, 'conversation') && e.newValue && e.newValue !== this.conversationId) {
        this.conversationId = e.newValue;
        this.visitorId = localStorage.getItem(storageKey(key, 'visitor'));
        void this.connect();
      }
    });
    window.addEventListener('online', () => this.resync());
    window.addEventListener('focus', () => this.resync());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.resync();
    });
    window.addEventListener('offline', () => this.setNotice(this.t.offline));
    if (this.conversationId) void this.connect();
  }

  private key(what: string) {
    return storageKey(this.host.options.widgetKey, what);
  }

  private outbox(): Outgoing[] {
    return parseOutbox(localStorage.getItem(this.key('outbox')));
  }

  private setOutbox(items: Outgoing[]) {
    localStorage.setItem(this.key('outbox'), JSON.stringify(items));
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
    const known = new Set(this.messages.map((m) => m.id));
    const fresh = incoming.filter((m) => !known.has(m.id));
    this.messages = mergeMessages(this.messages, incoming);
    const seenAt = this.seen()?.at ?? '';
    for (const m of fresh) {
      this.host.emit('message', m);
      if (m.senderKind !== 'visitor' && !this.host.isOpen() && m.createdAt > seenAt) this.unread += 1;
    }
    // Every stored message is a sign of life, also our own sent one (it replaces its optimistic copy: not fresh).
    for (const m of incoming) this.alive(Date.parse(m.createdAt));
    if (fresh.length) this.host.setUnread(this.host.isOpen() ? 0 : this.unread);
    if (this.host.isOpen()) this.markSeen();
    this.rerender();
  }

  private seen(): Seen | null {
    try {
      return JSON.parse(localStorage.getItem(this.key('seen')) ?? 'null');
    } catch {
      return null;
    }
  }

  /** The newest stored message is on screen: unread counts (here and in the launcher's look) start after it. */
  private markSeen() {
    const last = this.messages.filter((m) => !m.state).at(-1);
    if (last && last.createdAt > (this.seen()?.at ?? '')) localStorage.setItem(this.key('seen'), JSON.stringify({ id: last.id, at: last.createdAt }));
  }

  /** Notes activity at `at` (ms; never later than now, whatever the server's clock says). */
  private alive(at: number) {
    const t = Math.min(at || 0, Date.now());
    if (this.conversationId && t > Number(localStorage.getItem(this.key('active')) ?? 0)) localStorage.setItem(this.key('active'), String(t));
  }

  /**
   * Where a catch-up starts: never after a message that arrived live or as the answer to our own send (missed
   * ones may sort before it), only after one read from the history, and a few seconds before the newest of
   * those, because a message's time is when its transaction began and one that committed late sorts earlier.
   */
  private cursor(): string | undefined {
    const read = this.messages.filter((m) => this.synced.has(m.id));
    const upTo = Date.parse(read[read.length - 1]?.createdAt ?? '') - CATCH_UP_OVERLAP_MS;
    return read.reverse().find((m) => Date.parse(m.createdAt) <= upTo)?.id;
  }

  private read(messages: ChatMessage[]) {
    this.add(messages);
    for (const m of messages) this.synced.add(m.id);
  }

  async catchUp() {
    if (!this.conversationId) return;
    try {
      let after = this.cursor();
      for (;;) {
        const { data } = await this.client.history(this.conversationId, after);
        this.read(data.messages);
        if (!data.hasMore || !data.messages.length) break;
        after = data.messages[data.messages.length - 1]!.id;
      }
      if (navigator.onLine && this.notice === this.t.offline) this.setNotice(null);
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
    localStorage.removeItem(this.key('conversation'));
    this.messages = [];
    this.synced.clear();
    this.rerender();
  }

  async connect() {
    if (!this.conversationId) return;
    await this.catchUp();
    void this.flush();
    let session: Awaited<ReturnType<WidgetClient['session']>>;
    try {
      session = await this.client.session();
    } catch (err) {
      this.failed(err);
      return;
    }
    if (!this.realtime) {
      this.client.keepFresh(() => void this.realtime?.setAuth());
      this.realtime = new RealtimeClient(`${this.host.options.supabaseUrl}/realtime/v1`, {
        params: { apikey: this.host.options.anonKey },
        accessToken: async () => (await this.client.session()).access_token,
      });
    }
    // No token argument: a manual token would stop realtime-js from asking `accessToken` for fresh ones.
    await this.realtime.setAuth();
    const old = this.channel;
    this.channel = null; // our own removal below must not look like Realtime ending the channel
    if (old) await this.realtime.removeChannel(old);
    const channel = this.realtime.channel(`conversation:${this.conversationId}`, {
      config: { private: true, presence: { key: this.visitorId ?? session.user.id } },
    });
    const conversationId = this.conversationId;
    channel.on('broadcast', { event: 'message.created' }, ({ payload }) => {
      // Only a well-formed row of this conversation, and never in place of a copy already read from the database.
      const m = messageFromBroadcast(payload, conversationId);
      if (m && !this.messages.some((x) => x.id === m.id)) this.add([m]);
    });
    channel.subscribe((status) => {
      if (status === 'SUBSCRIBED') {
        void channel.track({ kind: 'visitor', visitor_id: this.visitorId, online_at: new Date().toISOString() });
        this.resync();
      } else if (status === 'CLOSED' && this.channel === channel) {
        // Realtime ended the channel (e.g. a refreshed token could not be checked): join a new one.
        setTimeout(() => this.channel === channel && void this.connect(), 1000);
      }
    });
    this.channel = channel;
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
    const first = nextToSend(this.outbox());
    try {
      // Signed in first: a refused sign-in is not the message's fault.
      await this.client.session();
    } catch (err) {
      this.failed(err);
      return;
    }
    try {
      const { data } = await this.client.startSession({
        name: clean(prechat?.name || this.identity.name),
        email: clean(prechat?.email || this.identity.email),
        phone: clean(prechat?.phone),
        firstMessage: first ? { id: first.id, body: first.body } : undefined,
        page: { url: location.href.slice(0, 2048), title: clean(document.title)?.slice(0, 300) },
        locale: this.host.locale,
      });
      this.conversationId = data.conversation.id;
      this.visitorId = data.visitor.id;
      localStorage.setItem(this.key('visitor'), data.visitor.id);
      localStorage.setItem(this.key('conversation'), data.conversation.id);
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
    const what = afterFailure(isHttpError(err) ? err.status : 0);
    if (isHttpError(err) && err.code === 'over_request_rate_limit') {
      // Hosted Auth caps anonymous sign-ins per address: say so, retry when told, else when the visitor asks.
      this.setNotice(this.t.signInLimited, true);
      if (err.retryAfter) this.retryLater(err.retryAfter * 1000);
    } else if (isHttpError(err) && what === 'wait') {
      const wait = err.retryAfter ?? 30;
      this.setNotice(this.t.wait(wait));
      this.retryLater(wait * 1000);
    } else if (isHttpError(err) && what === 'refused') {
      this.setNotice(err.code === 'message_too_long' ? this.t.tooLong : String(err.body.message ?? this.t.error));
    } else {
      this.setNotice(navigator.onLine ? this.t.error : this.t.offline);
      this.retryLater(this.backoff);
      this.backoff = Math.min(this.backoff * 2, 60_000);
    }
  }

  /** The notice's retry button. */
  retryNow() {
    this.setNotice(null);
    this.retryLater(0);
  }

  private retryLater(ms: number) {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
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
      if (nextToSend(this.outbox())) await this.client.session();
      // Re-read the outbox each time: messages queued while a send is under way go out in this same run.
      for (let item = nextToSend(this.outbox()); item; item = nextToSend(this.outbox())) {
        try {
          const { data } = await this.client.send(this.conversationId, item.id, item.body, item.attachments);
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
    this.host.setUnread(0);
    this.markSeen();
    this.alive(Date.now());
    this.rerender();
  }

  async identify(v: { name?: string; email?: string }) {
    this.identity = { ...this.identity, ...v };
    this.rerender();
    if (this.conversationId) await this.client.startSession({ name: clean(v.name), email: clean(v.email) }).catch(() => undefined);
  }
}

export function mount(host: PanelHost): PanelApi {
  const t = host.locale === 'de' ? de : en;
  const client = host.client;
  const state = new PanelState(host, client, t);
  const draw = () => render(<Panel host={host} t={t} state={state} />, host.container);
  host.container.addEventListener('porchlight:close', draw);
  draw();
  return {
    opened() {
      state.opened();
      draw();
    },
    identify(v) {
      void state.identify(v);
    },
  };
}
