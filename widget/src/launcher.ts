// widget.js — the launcher a customer's page loads. No framework: a shadow root (so the page's CSS and ours never
// meet), the button, the unread badge and the public API. The chat panel (Preact + Realtime) loads on first open.
// A new visitor costs one config request: no sign-in, socket, cookie or storage until the chat is opened. A
// returning visitor whose conversation was alive in the last LIVE_FOR_MS gets the panel (and its socket) at idle;
// one with an older conversation gets one history request for the unread badge, and no socket (see
// docs/capacity-model.md). The only global is `Porchlight`.
import { launcher as de } from '../locales/de.ts';
import { launcher as en } from '../locales/en.ts';
import { chooseLocale } from '../locales/index.ts';
import { WidgetClient } from './client.ts';
import { type Identity, LIVE_FOR_MS, type Options, type PanelApi, type PanelHost, type Seen, storageKey, type WidgetConfig } from './shared.ts';

/** The panel chunk's content-hashed file name, set by widget/build.ts. */
declare const PANEL_FILE: string;

type Handler = (detail?: unknown) => void;
type Queued = [string, ...unknown[]];

(() => {
  const w = window as unknown as { Porchlight?: { q?: Queued[]; version?: string } };
  if (w.Porchlight?.version) return; // loaded twice: keep the first
  const script = document.currentScript as HTMLScriptElement | null;
  const data = script?.dataset ?? {};
  const options: Options = {
    widgetKey: data.widgetKey ?? '',
    supabaseUrl: (data.supabaseUrl ?? '').replace(/\/$/, ''),
    anonKey: data.anonKey ?? '',
    locale: data.locale ?? null,
  };
  const base = script?.src ?? location.href;
  const queued = w.Porchlight?.q ?? [];
  const handlers: Record<string, Handler[]> = {};
  let open = false;
  let config: WidgetConfig | null = null;
  let configLoaded: Promise<void>;
  let panel: Promise<PanelApi> | null = null;
  let pendingIdentity: Identity | null = null;
  let locale = chooseLocale(options.locale, navigator.languages ?? [navigator.language]);
  const t = () => (locale === 'de' ? de : en);

  // A custom element, reset inline: page rules for div, span… never match it, and inline beats the page's CSS.
  const host = document.createElement('porchlight-widget');
  host.setAttribute('data-porchlight', '');
  host.style.cssText = 'all:initial';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>
:host{all:initial}
*{box-sizing:border-box}
.l{position:fixed;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;background:var(--p,#2563eb);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;font:600 14px system-ui,sans-serif}
.l:focus-visible{outline:3px solid var(--a,#f59e0b);outline-offset:2px}
.l svg{width:26px;height:26px}
.b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:var(--a,#f59e0b);color:#111;font:700 12px/20px system-ui,sans-serif}
.b[hidden]{display:none}
.br{right:20px;bottom:20px}.bl{left:20px;bottom:20px}.tr{right:20px;top:20px}.tl{left:20px;top:20px}
.off{background:#9ca3af}
</style><button class="l br" type="button" aria-expanded="false"><svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg><span class="b" hidden></span></button><div class="c"></div>`;
  const button = root.querySelector('button') as HTMLButtonElement;
  const badge = root.querySelector('.b') as HTMLSpanElement;
  const container = root.querySelector('.c') as HTMLDivElement;

  const emit = (event: string, detail?: unknown) => {
    for (const fn of handlers[event] ?? []) {
      try {
        fn(detail);
      } catch (err) {
        console.error('[Porchlight]', err);
      }
    }
  };

  function label() {
    button.setAttribute('aria-label', open ? t().close : config?.launcherLabel || t().open);
    button.title = config?.launcherLabel || t().open;
  }

  function setUnread(n: number) {
    badge.hidden = n === 0;
    badge.textContent = n > 9 ? '9+' : String(n);
    button.setAttribute('aria-description', n ? t().unread(n) : '');
    emit('unread', n);
  }

  const client = new WidgetClient(options);
  const key = (what: string) => storageKey(options.widgetKey, what);
  const panelHost: PanelHost = {
    options,
    client,
    get config() {
      return config;
    },
    container,
    get locale() {
      return locale;
    },
    isOpen: () => open,
    close: () => api.close(),
    emit: (e, d) => emit(e, d),
    setUnread,
  } as PanelHost;

  function loadPanel(): Promise<PanelApi> {
    panel ??= configLoaded
      .then(() => import(/* webpackIgnore: true */ new URL(PANEL_FILE, base).href))
      .then((m: { mount(h: PanelHost): Promise<PanelApi> }) => m.mount(panelHost))
      .then((p) => {
        if (pendingIdentity) p.identify(pendingIdentity);
        return p;
      });
    return panel;
  }

  const api = {
    version: '1',
    open() {
      if (open) return;
      open = true;
      button.setAttribute('aria-expanded', 'true');
      label();
      loadPanel().then((p) => p.opened(), (err) => console.error('[Porchlight] the chat panel failed to load', err));
      emit('open');
    },
    close() {
      if (!open) return;
      open = false;
      button.setAttribute('aria-expanded', 'false');
      label();
      container.dispatchEvent(new CustomEvent('porchlight:close'));
      button.focus();
      emit('close');
    },
    toggle() {
      if (open) api.close();
      else api.open();
    },
    identify(v: Identity) {
      pendingIdentity = { ...pendingIdentity, ...v };
      panel?.then((p) => p.identify(pendingIdentity!));
    },
    on(event: string, fn: Handler) {
      (handlers[event] ??= []).push(fn);
      return () => {
        handlers[event] = (handlers[event] ?? []).filter((h) => h !== fn);
      };
    },
  };
  w.Porchlight = api;

  button.addEventListener('click', () => api.toggle());
  label();

  // The dashboard's settings preview passes unsaved settings in; everywhere else the config comes from the server.
  const preview = data.preview === 'true' ? (window as { PorchlightPreview?: WidgetConfig }).PorchlightPreview : undefined;
  configLoaded = (
    preview
      ? Promise.resolve(preview)
      : // No headers: a CORS simple request, so no preflight (widget-config needs no apikey: verify_jwt = false).
        fetch(`${options.supabaseUrl}/functions/v1/widget-config?key=${encodeURIComponent(options.widgetKey)}`).then((r) => (r.ok ? r.json() : null))
  )
    .then((c: WidgetConfig | null) => {
      config = c;
      if (!c) {
        button.classList.add('off');
        return;
      }
      locale = chooseLocale(options.locale, navigator.languages ?? [navigator.language], c.locale);
      host.style.setProperty('--p', c.primaryColor);
      host.style.setProperty('--a', c.accentColor);
      button.className = `l ${c.position.split('-').map((s) => s[0]).join('')}`;
      label();
      if (c.autoOpenAfterSeconds && !sessionStorage.getItem(storageKey(c.key, 'auto-opened'))) {
        setTimeout(() => {
          sessionStorage.setItem(storageKey(c.key, 'auto-opened'), '1');
          api.open();
        }, c.autoOpenAfterSeconds * 1000);
      }
      // A returning visitor: live (panel and socket at idle) only while the conversation is recent, else one look.
      if (localStorage.getItem(key('conversation'))) {
        if (recent(Number(localStorage.getItem(key('active')))) || waiting()) goLive();
        else {
          void look();
          document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && !panel && void look());
        }
      }
    })
    .catch(() => {
      config = null;
      button.classList.add('off');
    });

  const recent = (t: number) => Date.now() - t < LIVE_FOR_MS;
  /** Unsent messages in the outbox: the panel sends them now, whatever the conversation's age. */
  const waiting = () => {
    try {
      return (JSON.parse(localStorage.getItem(key('outbox')) ?? '[]') as { refused?: string }[]).some((o) => !o.refused);
    } catch {
      return false;
    }
  };
  function goLive() {
    const idle = (window as { requestIdleCallback?: (cb: () => void) => void }).requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 1500));
    idle(() => void loadPanel());
  }

  /**
   * One request instead of a socket: agent replies after the last message seen make the badge. A fresh reply
   * means the conversation is alive again, so then the panel goes live. Never signs a new visitor in.
   */
  async function look() {
    const conversationId = localStorage.getItem(key('conversation'));
    if (!conversationId || !client.stored()) return;
    try {
      const seen = JSON.parse(localStorage.getItem(key('seen')) ?? 'null') as Seen | null;
      await client.session(false);
      const { data } = await client.history(conversationId, seen?.id);
      if (panel) return;
      const replies = data.messages.filter((m) => m.senderKind !== 'visitor');
      setUnread(replies.length);
      const last = Math.min(Date.now(), Date.parse(data.messages.at(-1)?.createdAt ?? ''));
      if (recent(last)) {
        localStorage.setItem(key('active'), String(last));
        goLive();
      }
    } catch {
      // Offline, signed out or the conversation is gone: no badge; opening the chat sorts it out.
    }
  }

  const attach = () => document.body.appendChild(host);
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);
  for (const [method, ...args] of queued) (api as unknown as Record<string, (...a: unknown[]) => void>)[method]?.(...args);
})();
