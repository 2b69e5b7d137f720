/** @jsxImportSource preact */
// The widget's help center (a lazy chunk, loaded when the panel opens and the company has published articles):
// "Search help articles", suggestions while the visitor types the first message, an article view inside the panel,
// and "Talk to a person" under the Auto Bot's answer. Articles' Markdown is built as elements of a small subset
// (markdown.ts), never as HTML.
// Reaches every module the panel shares with its other lazy chunks, so esbuild keeps them in one shared chunk
// (it makes a chunk per set of importers: a second file would cost the panel about 170 B gzip more).
import '../../../functions/_shared/attachment-rules.ts';
import { useEffect, useState } from 'preact/hooks';
import { jsx } from 'preact/jsx-runtime';
import type { HelpArticle, HelpArticleSummary } from '../../../functions/_shared/help.ts';
import { help as en } from '../../locales/en-help.ts';
import type { PanelHost } from '../shared.ts';
import type { ChatSync } from '../sync/engine.ts';
import type { ChatMessage } from '../text.ts';
import { type H, renderMarkdown } from './markdown.ts';

type Strings = typeof en;
let strings: Strings = en;

// Markdown's elements through the JSX runtime the panel already ships (key apart, as it expects).
const mk: H<ReturnType<typeof jsx>> = (type, props, ...children) => {
  const { key, ...rest } = props ?? {};
  return jsx(type, { ...rest, children }, key as string | undefined);
};

// Rendered at the end of the message list (the thread scrolls with it); while the help view is open it hides the
// messages (no change to the panel's own styles).
const CSS = `.m:has(.hc)>:not(.hc){display:none}.hc{flex:1}.hc h3{margin:4px 0 8px;font-size:16px}.hc h4{margin:10px 0 4px;font-size:14px}.hc ul,.hc ol{padding-left:20px}.hc pre{white-space:pre-wrap;background:#f3f4f6;padding:6px;border-radius:6px}.hl{list-style:none;padding:0;margin:6px 0;display:flex;flex-direction:column;gap:4px}.hl button,.hb{background:none;border:0;color:#1d4ed8;text-decoration:underline;text-align:left;padding:2px 0}.hl small{display:block;color:#4b5563}.hs{font-size:13px;color:#374151}.hb.hs{align-self:flex-start}.ho{align-self:flex-start}`;

const search = (host: PanelHost, q: string) =>
  host.client.call<{ articles: HelpArticleSummary[] }>('widget-help', { query: q ? { q, locale: host.locale === 'de' ? 'de' : 'en' } : { locale: host.locale === 'de' ? 'de' : 'en' } });

function List({ items, open }: { items: HelpArticleSummary[]; open: (id: string) => void }) {
  return (
    <ul class="hl">
      {items.map((a) => (
        <li key={a.id}>
          <button type="button" data-article-id={a.id} onClick={() => open(a.id)}>
            {a.title}
          </button>
          {a.excerpt && <small>{a.excerpt}</small>}
        </li>
      ))}
    </ul>
  );
}

/** The bot's latest answer, when nothing has been said after it (the place for "Talk to a person"). */
const lastBotAnswer = (messages: ChatMessage[]) => {
  const last = messages.filter((m) => m.senderKind !== 'visitor').pop();
  return last?.senderKind === 'bot' ? last : null;
};

export function Help({ host, state, draft }: { host: PanelHost; state: ChatSync; draft: string }) {
  const t = strings;
  const [view, setView] = useState<'closed' | 'list' | HelpArticle>('closed');
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<HelpArticleSummary[] | null>(null);
  const [suggested, setSuggested] = useState<HelpArticleSummary[]>([]);
  const [failed, setFailed] = useState(false);
  const [askedFor, setAskedFor] = useState<string | null>(null);
  const [, setLoaded] = useState(false);
  // German strings on demand (the panel's language), once.
  useEffect(() => {
    if (host.locale === 'de' && strings === en) void import('../../locales/de-help.ts').then((m) => {
        strings = m.help;
        setLoaded(true);
      });
  }, []);

  // The list: what matches the query (or the newest articles), a moment after the visitor stops typing.
  useEffect(() => {
    if (view !== 'list') return;
    const timer = setTimeout(() => {
      search(host, query.trim()).then(
        (r) => {
          setItems(r.data.articles);
          setFailed(false);
        },
        () => setFailed(true),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [view, query]);

  // Suggestions while the visitor types the first message: they may answer themselves.
  const first = !state.conversationId && draft.trim().length >= 4 ? draft.trim() : '';
  useEffect(() => {
    if (!first) return setSuggested([]);
    const timer = setTimeout(() => {
      search(host, first).then(
        (r) => setSuggested(r.data.articles.slice(0, 3)),
        () => setSuggested([]),
      );
    }, 500);
    return () => clearTimeout(timer);
  }, [first]);

  const open = (id: string) =>
    host.client.call<{ article: HelpArticle }>('widget-help', { query: { article: id } }).then(
      (r) => {
        setView(r.data.article);
        setFailed(false);
      },
      () => {
        setView('list');
        setFailed(true);
      },
    );

  const bot = lastBotAnswer(state.messages);
  // Asked for a person: said until an agent writes (the hand-off's system message comes after the bot's answer).
  const waitingForPerson = askedFor !== null && state.messages.filter((m) => m.senderKind !== 'visitor').pop()?.senderKind !== 'agent';
  const handoff = () => {
    if (!bot || !state.conversationId) return;
    setAskedFor(bot.id);
    host.client
      .call<{ message: ChatMessage | null }>('widget-help', { body: { conversationId: state.conversationId, locale: host.locale === 'de' ? 'de' : 'en' } })
      .then((r) => r.data.message && state.add([r.data.message]), () => setAskedFor(null));
  };

  if (view === 'closed') {
    return (
      <>
        <style>{CSS}</style>
        {bot && askedFor !== bot.id && (
          <button type="button" class="s ho" onClick={handoff}>
            {t.person}
          </button>
        )}
        {waitingForPerson && (
          <p class="hs" role="status">
            {t.personAsked}
          </p>
        )}
        {suggested.length > 0 && (
          <div class="hs" data-testid="help-suggestions">
            {t.suggested}
            <List items={suggested} open={open} />
          </div>
        )}
        <button type="button" class="hb hs" onClick={() => setView('list')}>
          {t.open}
        </button>
      </>
    );
  }
  return (
    <section class="hc" aria-label={t.title}>
      <style>{CSS}</style>
      <button type="button" class="hb" onClick={() => setView(typeof view === 'object' ? 'list' : 'closed')}>
        ← {typeof view === 'object' ? t.back : t.backToChat}
      </button>
      {typeof view === 'object' ? (
        <article data-testid="help-article">
          <h3>{view.title}</h3>
          {renderMarkdown(view.body, mk)}
        </article>
      ) : (
        <>
          <label>
            {t.searchLabel}
            <input type="search" value={query} placeholder={t.searchPlaceholder} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
          </label>
          {failed && <p role="alert">{t.failed}</p>}
          {items && (items.length ? <List items={items} open={open} /> : <p role="status">{t.none}</p>)}
        </>
      )}
    </section>
  );
}
