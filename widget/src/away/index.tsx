/** @jsxImportSource preact */
// The away chunk (issue 19, ADRs 0012/0013), loaded by the panel once it mounts: the away state (outside office
// hours, or nobody of the team online) with its message or contact form, asking for an email before sending when
// none is known; and identify(): sent to widget-identify, answering a verified person's earlier conversations.
import type { VNode } from 'preact';
import { away as de } from '../../locales/de-away.ts';
import { away as en } from '../../locales/en-away.ts';
import type { PanelHost } from '../shared.ts';
import type { ChatSync } from '../sync/engine.ts';
import { Contact } from './contact.tsx';
import { Earlier, type EarlierConversation } from './earlier.tsx';

export type AwayStrings = typeof en;

export const AWAY_CSS =
  '.aw{margin:0;padding:8px 12px;background:#f3f4f6;color:#1f2937;font-size:13px;border-bottom:1px solid #e5e7eb}.aw strong{display:block}.ct{flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:8px;padding:12px}.ct p{margin:0;color:#374151}.er{border-bottom:1px solid #e5e7eb;padding:6px 12px;font-size:13px;max-height:45%;overflow-y:auto}.er ul{margin:4px 0;padding:0;list-style:none;display:flex;flex-direction:column;gap:4px}.er li button,.er .k{width:100%;text-align:left;background:#fff;color:#111;border:1px solid #d1d5db;border-radius:8px;padding:6px 8px}.er li button:focus-visible,.er .k:focus-visible,.er summary:focus-visible{outline:3px solid var(--a,#f59e0b);outline-offset:1px}.er small{display:block;color:#374151}';

interface Identified {
  verified: boolean;
  conversations: EarlierConversation[];
}

let sent = '';
let identified: Identified | null = null;

/** Sends what identify() said, once per change; never signs a visitor in before they open the chat. */
function identify(host: PanelHost, state: ChatSync) {
  const id = state.identity;
  const sig = JSON.stringify(id);
  if (sig === sent || !(id.userId || (state.conversationId && (id.name || id.email)))) return;
  if (!host.isOpen() && !host.client.stored()) return;
  sent = sig;
  if (host.config?.requireVerification && !id.userHash) {
    console.error('[Porchlight] identify() refused: this chat requires verified visitors. Pass userHash = HMAC-SHA256(userId) with your identity secret (docs/identity-verification.md).');
    return;
  }
  host.client.call<Identified>('widget-identify', { body: id }).then(
    ({ data }) => {
      identified = data;
      state.rerender();
    },
    (err: { code?: string; message?: string }) => console.error(`[Porchlight] identify() refused: ${err.code}: ${err.message}`),
  );
}

/** Whether the visitor has given an email (identify(), or the away form in this browser). */
const emailKnown = (host: PanelHost, state: ChatSync) => !!(state.identity.email || localStorage.getItem(emailGiven(host)));

/** storageKey(widgetKey, 'email') of shared.ts, spelled out: importing it would split the panel's chunk. */
export const emailGiven = (host: PanelHost) => `porchlight:${host.options.widgetKey}:email`;

/**
 * What the panel shows for being away and for a verified person: [replaces the chat, content], or null for
 * nothing. While away without a known email (or in contact-form mode before a conversation), the form replaces
 * the chat; otherwise a notice above it.
 */
export function view(host: PanelHost, state: ChatSync): [boolean, VNode] | null {
  const t = host.locale === 'de' ? de : en;
  const config = host.config;
  identify(host, state);
  const a = config?.away;
  const away = !!a && (!a.open || (!!state.live?.known && !state.live.agents.length));
  const form = away && (!emailKnown(host, state) || (a.mode === 'form' && !state.conversationId));
  const earlier = identified?.verified ? identified.conversations.filter((c) => c.id !== state.conversationId) : [];
  const list = earlier.length ? <Earlier client={host.client} conversations={earlier} locale={host.locale} t={t} /> : null;
  if (!away && !list) return null;
  return [
    form,
    <>
      <style>{AWAY_CSS}</style>
      {away && !form && (
        <p class="aw" data-testid="away">
          <strong>{t.awayTitle}</strong>
          {a.message || t.awayDefault}
        </p>
      )}
      {list}
      {form && <Contact host={host} state={state} withName={a.mode === 'form'} message={a.message || (a.mode === 'form' ? t.formIntro : t.awayDefault)} t={t} />}
    </>,
  ];
}
