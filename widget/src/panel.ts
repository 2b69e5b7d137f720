// panel.js — the chat panel, loaded by the launcher on first open (or at idle for a returning visitor): wires the
// sync engine to the browser (storage, Realtime, timers, page events) and renders the view into the shadow root.
// Preact for the UI, @supabase/realtime-js for live replies and presence; never the full supabase-js. Loaded on
// demand, so an English first view ships without them: the German strings (before the first draw, German only) and
// the live signals (once a conversation connects).
import { RealtimeClient } from '@supabase/realtime-js';
import { panel as en } from '../locales/en.ts';
import { type PanelApi, type PanelHost, storageKey } from './shared.ts';
import { ChatSync } from './sync/engine.ts';
import { drawPanel } from './view/panel.tsx';

export async function mount(host: PanelHost): Promise<PanelApi> {
  // The attachments chunk holds its English strings itself (tf stays undefined for English).
  const { panel: t, attachments: tf } = host.locale === 'de' ? await import('../locales/de.ts') : { panel: en, attachments: undefined };
  const { client, options } = host;
  const key = (what: string) => storageKey(options.widgetKey, what);
  const state: ChatSync = new ChatSync({
    host,
    api: client,
    realtime: () =>
      new RealtimeClient(`${options.supabaseUrl}/realtime/v1`, {
        params: { apikey: options.anonKey },
        accessToken: async () => (await client.session()).access_token,
      }),
    get: (what) => localStorage.getItem(key(what)),
    set: (what, value) => localStorage.setItem(key(what), value),
    remove: (what) => localStorage.removeItem(key(what)),
    later(fn, ms) {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
    online: () => navigator.onLine,
    page: () => ({ url: location.href, title: document.title }),
    t,
    live: () => import('./live.ts').then((m) => new m.LiveSignals(client, options.widgetKey, () => state.rerender())),
  });
  // Another tab started the conversation: join it.
  addEventListener('storage', (e) => {
    if (e.key === key('conversation') && e.newValue) state.adopt(e.newValue);
  });
  addEventListener('online', () => state.resync());
  addEventListener('focus', () => state.resync());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') state.resync();
  });
  addEventListener('offline', () => state.setNotice(t.offline));
  const draw = () => drawPanel(host, t, tf, state);
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
