/** @jsxImportSource preact */
// The chat panel's view: header, message list, notice and composer with the pre-chat form; it renders what the
// sync engine holds and hands the visitor's actions to it.
import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { EMAIL_PATTERN, MAX_MESSAGE_LENGTH, PHONE_PATTERN } from '../../../functions/_shared/limits.ts';
import { stripControlCharacters } from '../../../functions/_shared/text-rules.ts';
import type { attachments as fileStrings } from '../../locales/en-attachments.ts';
import { Availability, LIVE_CSS, Typing } from '../live-view.tsx';
import type { PanelHost } from '../shared.ts';
import type { ChatSync } from '../sync/engine.ts';
import type { Strings } from '../sync/ports.ts';
import { Field, Text } from './parts.tsx';
import { CSS } from './styles.ts';

/** The attachments chunk (widget/src/attachments/), loaded once a conversation exists. */
type Att = typeof import('../attachments/index.tsx');
let att: Att | null = null;
/** The help center chunk (widget/src/help/), loaded when the panel opens on a company with published articles. */
let hlp: typeof import('../help/index.tsx') | null = null;
/** The away chunk (widget/src/away/): away state, contact form, identify() and earlier conversations. */
let away: typeof import('../away/index.tsx') | null = null;

export function Panel({ host, t, tf, state }: { host: PanelHost; t: Strings; tf: typeof fileStrings | undefined; state: ChatSync }) {
  const [, force] = useState(0);
  state.rerender = () => force((n) => n + 1);
  const list = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const [fields, setFields] = useState({ name: state.identity.name ?? '', email: state.identity.email ?? '', phone: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [draft, setDraft] = useState('');
  // Loaded when the open chat has a conversation: a closed widget never fetches it.
  useEffect(() => {
    if (host.isOpen() && state.conversationId && !att) {
      void import('../attachments/index.tsx').then((m) => {
        att = m;
        state.rerender();
      });
    }
  }, [host.isOpen(), state.conversationId]);
  const hasHelp = host.config?.hasHelpArticles === true;
  useEffect(() => {
    if (host.isOpen() && hasHelp && !hlp) void import('../help/index.tsx').then((m) => {
        hlp = m;
        state.rerender();
      });
  }, [host.isOpen(), hasHelp]);
  const tray =
    att && state.conversationId
      ? ((state.tray ??= new att.Tray(host.client, () => state.conversationId, () => state.rerender(), att.strings(tf))) as InstanceType<Att['Tray']>)
      : null;
  const config = host.config;
  // Only a company with office hours, or a page that called identify(), needs the away chunk.
  const needsAway = !!config?.away || Object.keys(state.identity).length > 0;
  useEffect(() => {
    if (needsAway && !away)
      void import('../away/index.tsx').then((m) => {
        away = m;
        state.rerender();
      });
  }, [needsAway]);
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
      <div style="flex:1">
        <h2>{config?.title ?? t.unavailableTitle}</h2>
        {config && <Availability live={state.live} minutes={config.typicalReplyMinutes} t={t} />}
      </div>
      <button class="x" type="button" aria-label={t.close} onClick={() => host.close()}>
        ×
      </button>
    </header>
  );

  const aw = config && away?.view(host, state);
  if (!config || aw?.[0]) {
    return (
      <div class={`p ${pos}`} role="dialog" aria-modal="true" aria-label={config?.title ?? t.unavailableTitle} ref={panelRef} onKeyDown={onKeyDown}>
        <style>{CSS}</style>
        {header}
        {aw ? (
          aw[1]
        ) : (
          <p class="u" data-state="unavailable">
            {t.unavailable}
          </p>
        )}
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
    state.live?.sender.stop();
    void state.send(body, needsForm ? { name: now.name.trim(), email: now.email.trim(), phone: now.phone.trim() } : undefined, tray?.take());
  };

  const seenUnder = state.live?.seenUnder(state.messages) ?? null;

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
          onInput={(e) => {
            const v = (e.target as HTMLTextAreaElement).value;
            setDraft(v);
            if (state.conversationId) state.live?.sender.input(v);
          }}
          onBlur={() => state.live?.sender.stop()}
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
      <style>{CSS + LIVE_CSS}</style>
      {header}
      {aw?.[1]}
      <div class="m" ref={list} aria-live="polite">
        {config.greeting && <div class="g">{config.greeting}</div>}
        {state.messages.map((m) => (
          <div key={m.id} class={`bub ${m.senderKind === 'visitor' ? 'v' : 'a'}`} data-message-id={m.id} data-state={m.state ?? 'sent'}>
            {m.senderKind !== 'visitor' && <small>{m.authorName ?? t.agent}</small>}
            <Text text={m.body} />
            {m.attachments && att && <att.Files files={m.attachments} client={host.client} t={tf} />}
            {m.state === 'sending' && <small>{t.sending}</small>}
            {m.id === seenUnder && <small class="sn" data-testid="seen">{t.seen}</small>}
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
        {hlp && <hlp.Help host={host} state={state} draft={draft} />}
      </div>
      {/* The rating prompt (widget/src/csat/): its own chunk, loaded once the conversation is resolved. */}
      {state.status === 'resolved' && (
        <div ref={(el) => void import('../csat/index.ts').then((m) => m.mount(el, host, state))} />
      )}
      {state.live && <Typing live={state.live} t={t} />}
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
        {att && state.status === 'resolved' && <att.Transcript client={host.client} id={state.conversationId!} locale={host.locale} />}
        {composer}
      </form>
    </div>
  );
}


/** Renders (or re-renders) the panel into the launcher's shadow root. */
export const drawPanel = (host: PanelHost, t: Strings, tf: typeof fileStrings | undefined, state: ChatSync) => render(<Panel host={host} t={t} tf={tf} state={state} />, host.container);
