// The inbox: filters, search, the live list and the open conversation beside it. The list is the loader's first
// page with the company's events applied in place (live store); older pages load by cursor as the agent scrolls.
import { Form, Link, NavLink, Outlet, type ShouldRevalidateFunction, useFetcher, useLoaderData, useLocation, useNavigate, useParams } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { Avatar } from '../../components/Avatar.tsx';
import { LabelChips } from '../../components/LabelChip.tsx';
import { PlatformBadge } from '../../components/PlatformBadge.tsx';
import { SearchDates } from '../../components/SearchDates.tsx';
import { SearchSnippet } from '../../components/SearchSnippet.tsx';
import { useDashboard, useLiveInbox } from '../../lib/dashboard-context.tsx';
import { relativeTime } from '../../lib/format.ts';
import { useVisitorsOnline } from '../../lib/presence-context.tsx';
import { liveShouldRevalidate } from '../../lib/revalidation.ts';
import { useVisitorsTyping } from '../../lib/typing-context.tsx';
import type { loader as olderLoader } from '../inbox.older/older.server.ts';
import type { loader } from './inbox.server.ts';
import { LabelFilter } from './LabelFilter.tsx';
import { PlatformFilter } from './PlatformFilter.tsx';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { loader } from './inbox.server.ts';

// The list depends on the search (filters, query) only: opening another conversation re-reads nothing here.
export const shouldRevalidate: ShouldRevalidateFunction = (args) => {
  if (!args.formMethod && args.currentUrl.search === args.nextUrl.search && args.currentUrl.pathname !== args.nextUrl.pathname) return false;
  return liveShouldRevalidate(args);
};

/**
 * Loads the next older page when the agent scrolls the list near its end (or follows the link). Only a scroll
 * does: the link sits below the list, always in view, so watching it would page through the whole inbox unasked.
 */
function OlderPage({ href }: { href: string }) {
  const { store } = useDashboard();
  const fetcher = useFetcher<typeof olderLoader>();
  const load = () => {
    if (fetcher.state === 'idle') fetcher.load(href.replace(/^\/inbox(\/[^?]*)?/, '/inbox/older'));
  };
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (fetcher.data) store.appendOlder(fetcher.data.conversations, fetcher.data.nextCursor);
  }, [fetcher.data, store]);
  useEffect(() => {
    const list = document.querySelector<HTMLElement>('[data-testid="conversation-list"]');
    if (!list) return;
    const onScroll = () => {
      if (list.scrollHeight - list.scrollTop - list.clientHeight < 200) loadRef.current();
    };
    list.addEventListener('scroll', onScroll, { passive: true });
    return () => list.removeEventListener('scroll', onScroll);
  }, []); // the caller keys this component by the cursor: a new page, a new listener
  return (
    <Link
      to={href}
      data-testid="older-page"
      onClick={(e) => {
        e.preventDefault();
        load();
      }}
    >
      {fetcher.state === 'idle' ? 'Older conversations' : 'Loading older conversations…'}
    </Link>
  );
}

const STATUSES = ['open', 'pending', 'resolved', 'all'] as const;
const SCOPES = [
  ['all', 'All'],
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
] as const;

function useNow(intervalMs = 30_000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

function isTyping(target: EventTarget | null) {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export default function Inbox() {
  const data = useLoaderData<typeof loader>();
  const { query } = data;
  const { userId } = useDashboard();
  const live = useLiveInbox(data, () => ({
    rows: data.conversations,
    view: { ...data.query, userId, complete: data.nextCursor === null },
    cursor: data.nextCursor,
  }));
  const conversations = live.rows;
  const nextCursor = live.cursor;
  const params = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const now = useNow();
  const online = useVisitorsOnline(conversations.map((c) => c.id));
  // Typing channels only for rows whose visitor's page is open: nobody else can be typing.
  const typing = useVisitorsTyping(conversations.filter((c) => online.has(c.id)).map((c) => c.id));

  const link = (patch: Record<string, string | null>) => {
    const sp = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') sp.delete(k);
      else sp.set(k, v);
    }
    if (!('after' in patch)) sp.delete('after');
    const s = sp.toString();
    return `${params.conversationId ? `/inbox/${params.conversationId}` : '/inbox'}${s ? `?${s}` : ''}`;
  };
  const search = location.search;

  // Keyboard: j / k move through the list, / or c focus the composer.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (e.key === 'j' || e.key === 'k') {
        if (!conversations.length) return;
        const i = conversations.findIndex((c) => c.id === params.conversationId);
        const next = e.key === 'j' ? Math.min(i + 1, conversations.length - 1) : Math.max(i - 1, 0);
        const target = conversations[i === -1 ? 0 : next];
        if (target) {
          e.preventDefault();
          navigate(`/inbox/${target.id}${search}`);
        }
      } else if (e.key === '/' || e.key === 'c') {
        const composer = document.getElementById('composer');
        if (composer) {
          e.preventDefault();
          composer.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [conversations, params.conversationId, navigate, search]);

  return (
    <main className={`inbox${params.conversationId ? ' has-conversation' : ''}`}>
      <section className="inbox-list" aria-label="Conversations">
        <div className="filters">
          <Form method="get" role="search">
            <input type="hidden" name="status" value={query.status} />
            <input type="hidden" name="scope" value={query.scope} />
            <input type="hidden" name="platform" value={query.platform} />
            {query.label ? <input type="hidden" name="label" value={query.label} /> : null}
            <label className="sr-only" htmlFor="inbox-search">
              Search
            </label>
            <input id="inbox-search" type="search" name="q" defaultValue={query.q} placeholder="Search name, email or message…" style={{ width: '100%' }} />
            <SearchDates from={query.from} to={query.to} />
          </Form>
          <nav className="row" aria-label="Status filter">
            {STATUSES.map((s) => (
              <Link key={s} to={link({ status: s })} aria-current={query.status === s ? 'true' : undefined}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </Link>
            ))}
          </nav>
          <PlatformFilter current={query.platform} link={(platform) => link({ platform: platform === 'all' ? null : platform })} />
          <nav className="row" aria-label="Assignee filter">
            {SCOPES.map(([s, label]) => (
              <Link key={s} to={link({ scope: s })} aria-current={query.scope === s ? 'true' : undefined}>
                {label}
              </Link>
            ))}
          </nav>
          <LabelFilter labels={data.labels} current={query.label} />
        </div>
        {conversations.length === 0 ? (
          <p className="empty">{query.q || query.label ? 'No conversations match your search.' : 'No conversations here yet.'}</p>
        ) : (
          <ul className="conversations" data-testid="conversation-list">
            {conversations.map((c) => (
              <li key={c.id} className={c.unread > 0 ? 'unread' : undefined} data-conversation-id={c.id}>
                <NavLink to={`/inbox/${c.id}${search}`} className={({ isActive }) => (isActive ? 'active' : '')}>
                  <Avatar name={c.visitorName} email={c.visitorEmail} gravatar={c.gravatar} online={online.has(c.id)} />
                  <span style={{ minWidth: 0 }}>
                    <span className="conv-name">
                      <span data-testid="visitor-name">{c.visitorName}</span>
                      {typing.has(c.id) ? (
                        <span className="row-typing" data-testid="row-typing">
                          {' '}
                          typing…
                        </span>
                      ) : null}
                      <PlatformBadge platform={c.platform} />
                    </span>
                    <span className="conv-preview" data-testid="preview">
                      {c.snippet ? <SearchSnippet snippet={c.snippet} /> : c.preview}
                    </span>
                    <LabelChips ids={c.labelIds} labels={data.labels} />
                  </span>
                  <span className="conv-meta">
                    <time dateTime={c.lastMessageAt} title={new Date(c.lastMessageAt).toLocaleString()}>
                      {relativeTime(c.lastMessageAt, now)}
                    </time>
                    {c.unread > 0 ? (
                      <span className="badge" data-testid="unread-badge">
                        {c.unread}
                      </span>
                    ) : null}
                  </span>
                </NavLink>
              </li>
            ))}
          </ul>
        )}
        {query.after || nextCursor ? (
          <nav className="row more" aria-label="Pages">
            {query.after ? <Link to={link({ after: null })}>Newest</Link> : null}
            {nextCursor ? <OlderPage key={nextCursor} href={link({ after: nextCursor })} /> : null}
          </nav>
        ) : null}
      </section>
      <section className="conversation-pane" style={{ minHeight: 0, display: 'grid' }}>
        <Outlet />
      </section>
    </main>
  );
}
