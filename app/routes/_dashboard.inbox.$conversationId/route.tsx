// One conversation: header (avatar, presence, status, assignee, auto-bot), messages with day separators and
// delivery state, an optimistic idempotent composer, and the visitor's profile. The thread is the loader's with the
// company's events applied in place; reading it is an action sent only while it is on screen (use-read.ts).
import { isRouteErrorResponse, Link, type ShouldRevalidateFunction, useFetcher, useLoaderData, useLocation, useRevalidator, useRouteError } from '@remix-run/react';
import { Fragment, useEffect, useRef, useState } from 'react';
import { Avatar, PlatformBadge } from '../../components/Avatar.tsx';
import { useLiveThread } from '../../lib/dashboard-context.tsx';
import { clockTime, dayKey, dayLabel, relativeTime, visitorDisplayName } from '../../lib/format.ts';
import type { ThreadConversation, ThreadMessage } from '../../lib/live-state.ts';
import { useVisitorsOnline } from '../../lib/presence-context.tsx';
import { liveShouldRevalidate } from '../../lib/revalidation.ts';
import { httpUrl } from '../../lib/safe-redirect.ts';
import { useRecover } from '../../lib/use-recover.ts';
import { MESSAGE_MAX_LENGTH } from '../../lib/validation.ts';
import type { VisitorRow } from '../../models/visitors.server.ts';
import { useReadWhileShown } from './use-read.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { conversationAction as action, conversationLoader as loader } from './conversation.server.ts';

// The thread depends on the conversation id only: a filter clicked beside it re-reads nothing here.
export const shouldRevalidate: ShouldRevalidateFunction = (args) => {
  if (!args.formMethod && args.currentParams.conversationId === args.nextParams.conversationId && args.currentUrl.href !== args.nextUrl.href) {
    return false;
  }
  return liveShouldRevalidate(args);
};

type LoaderData = {
  conversation: ThreadConversation;
  visitor: VisitorRow | null;
  messages: ThreadMessage[];
  earlier: { id: string; status: string; platform: string; last_message_at: string; last_message_preview: string | null }[];
  members: { user_id: string; role: string; display_name: string | null }[];
  gravatar: string | null;
  me: { id: string; name: string };
};

type Outgoing = { id: string; body: string; createdAt: string };

function browserName(ua: string | null): string {
  if (!ua) return '—';
  const m = /(Edg|Firefox|Chrome|Safari)\/(\d+)/.exec(ua);
  const name = m ? ({ Edg: 'Edge' } as Record<string, string>)[m[1]!] ?? m[1] : 'Unknown';
  const os = /Windows|Mac OS X|Android|iPhone|Linux/.exec(ua)?.[0]?.replace('Mac OS X', 'macOS') ?? '';
  return `${name}${m ? ` ${m[2]}` : ''}${os ? ` on ${os}` : ''}`;
}

function OutgoingMessage({ message }: { message: Outgoing }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>({ key: `send:${message.id}` });
  const submitted = useRef(false);
  const send = () => fetcher.submit({ intent: 'send', id: message.id, body: message.body }, { method: 'post' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: submit once on mount; retries are explicit
  useEffect(() => {
    if (submitted.current) return;
    submitted.current = true;
    send();
  }, []);
  const failed = fetcher.state === 'idle' && fetcher.data !== undefined && !fetcher.data.ok;
  return (
    <div className={`msg agent ${failed ? 'failed' : 'pending'}`} data-testid="message" data-state={failed ? 'failed' : 'sending'}>
      {message.body}
      <span className="meta">
        {failed ? (
          <>
            Not sent{fetcher.data?.message ? ` (${fetcher.data.message})` : ''} ·{' '}
            <button type="button" className="link" onClick={send}>
              Retry
            </button>
          </>
        ) : (
          'Sending…'
        )}
      </span>
    </div>
  );
}

export default function ConversationView() {
  const data = useLoaderData<LoaderData>();
  const { visitor, members, earlier, me } = data;
  const thread = useLiveThread(data, () => ({ conversation: data.conversation, messages: data.messages, gap: false }));
  const { conversation, messages } = thread;
  useReadWhileShown(conversation.id, conversation.unread_count);
  // An event showed that a message never reached this tab: read the conversation again (once per gap).
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  useEffect(() => {
    if (thread.gap) revalidate.current();
  }, [thread.gap]);
  const location = useLocation();
  const online = useVisitorsOnline([conversation.id]).has(conversation.id);
  const [outbox, setOutbox] = useState<Outgoing[]>([]);
  const [draft, setDraft] = useState('');
  const [showProfile, setShowProfile] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const statusFetcher = useFetcher();
  const assignFetcher = useFetcher();
  const botFetcher = useFetcher();
  const name = visitorDisplayName(visitor);

  // Sent messages leave the outbox once the loader has them (the database is the truth).
  const stored = new Set(messages.map((m) => m.id));
  const pending = outbox.filter((m) => !stored.has(m.id));
  useEffect(() => {
    if (outbox.some((m) => stored.has(m.id))) setOutbox((o) => o.filter((m) => !stored.has(m.id)));
  });

  // Keep the newest message in view when messages arrive or another conversation opens.
  const scrollKey = `${conversation.id}:${messages.length}:${pending.length}`;
  useEffect(() => {
    const el = listRef.current;
    if (el && scrollKey) el.scrollTop = el.scrollHeight;
  }, [scrollKey]);

  // A different conversation starts with an empty composer and outbox.
  const [shownId, setShownId] = useState(conversation.id);
  if (shownId !== conversation.id) {
    setShownId(conversation.id);
    setOutbox([]);
    setDraft('');
  }

  const submitDraft = () => {
    const body = draft.trim();
    if (!body) return;
    setOutbox((o) => [...o, { id: crypto.randomUUID(), body, createdAt: new Date().toISOString() }]);
    setDraft('');
  };

  // Delivery state: "Seen" up to the visitor's last-read message.
  const readIndex = conversation.visitor_last_read_message_id
    ? messages.findIndex((m) => m.id === conversation.visitor_last_read_message_id)
    : -1;

  const optimisticStatus = (statusFetcher.formData?.get('status') as string | null) ?? conversation.status;
  const optimisticAssignee = assignFetcher.formData ? String(assignFetcher.formData.get('assigneeId') ?? '') : (conversation.assignee_id ?? '');
  const optimisticBot = botFetcher.formData ? botFetcher.formData.get('autoBot') === 'true' : conversation.auto_bot;

  let lastDay = '';
  return (
    <div className="conversation" data-testid="conversation" data-conversation-id={conversation.id}>
      <div className="thread">
        <header className="thread-header">
          <Link to={`/inbox${location.search}`} className="back-link" aria-label="Back to the inbox">
            ←
          </Link>
          <Avatar name={name} email={visitor?.email} gravatar={data.gravatar} online={online} />
          <div>
            <h2 data-testid="conversation-title">{name}</h2>
            <span className={`presence-label ${online ? 'online' : 'offline'}`} data-testid="presence-label">
              {online ? 'Online' : 'Offline'}
            </span>{' '}
            <PlatformBadge platform={conversation.platform} />
          </div>
          <div className="thread-controls">
            <statusFetcher.Form method="post">
              <input type="hidden" name="intent" value="status" />
              <label>
                <span className="sr-only">Status</span>
                <select name="status" value={optimisticStatus} onChange={(e) => statusFetcher.submit(e.currentTarget.form)} aria-label="Status">
                  <option value="open">Open</option>
                  <option value="pending">Pending</option>
                  <option value="resolved">Resolved</option>
                </select>
              </label>
            </statusFetcher.Form>
            <assignFetcher.Form method="post">
              <input type="hidden" name="intent" value="assign" />
              <select name="assigneeId" value={optimisticAssignee} onChange={(e) => assignFetcher.submit(e.currentTarget.form)} aria-label="Assignee">
                <option value="">Unassigned</option>
                {members.map((m) => (
                  <option key={m.user_id} value={m.user_id}>
                    {m.display_name || 'Member'}
                    {m.user_id === me.id ? ' (me)' : ''}
                  </option>
                ))}
              </select>
            </assignFetcher.Form>
            <botFetcher.Form method="post">
              <input type="hidden" name="intent" value="bot" />
              <input type="hidden" name="autoBot" value={optimisticBot ? 'false' : 'true'} />
              <label title="Let the bot answer while no agent replies">
                <input type="checkbox" checked={optimisticBot} onChange={(e) => botFetcher.submit(e.currentTarget.form)} /> Auto-bot
              </label>
            </botFetcher.Form>
            <button type="button" onClick={() => setShowProfile((s) => !s)} aria-expanded={showProfile}>
              Customer Info
            </button>
          </div>
        </header>

        <div className="messages" ref={listRef} data-testid="messages" aria-live="polite">
          {messages.map((m, i) => {
            const day = dayKey(m.created_at);
            const sep = day !== lastDay;
            lastDay = day;
            const mine = m.sender_kind === 'agent' || m.sender_kind === 'bot';
            return (
              <Fragment key={m.id}>
                {sep ? <div className="day">{dayLabel(m.created_at)}</div> : null}
                <div className={`msg ${m.sender_kind}`} data-testid="message" data-message-id={m.id} data-sender={m.sender_kind} data-state="sent">
                  {m.body}
                  <span className="meta">
                    {m.sender_kind !== 'visitor' && m.author_name ? `${m.author_name} · ` : ''}
                    <time dateTime={m.created_at}>{clockTime(m.created_at)}</time>
                    {mine ? <span data-testid="delivery">{readIndex >= i ? ' · Seen' : ' · Sent'}</span> : null}
                  </span>
                </div>
              </Fragment>
            );
          })}
          {pending.map((m) => (
            <OutgoingMessage key={m.id} message={m} />
          ))}
        </div>

        <form
          className="composer"
          onSubmit={(e) => {
            e.preventDefault();
            submitDraft();
          }}
        >
          <label className="sr-only" htmlFor="composer">
            Reply
          </label>
          <textarea
            id="composer"
            name="body"
            rows={2}
            maxLength={MESSAGE_MAX_LENGTH}
            value={draft}
            placeholder="Write a reply… (Enter sends, Shift+Enter new line)"
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                submitDraft();
              } else if (e.key === 'Escape') {
                e.currentTarget.blur();
              }
            }}
          />
          <button type="submit" className="primary" disabled={!draft.trim()}>
            Send
          </button>
        </form>
      </div>

      <aside className={`profile${showProfile ? ' open' : ''}`} aria-label="Customer info" data-testid="profile" hidden={false}>
        {showProfile ? (
          <button type="button" className="link" onClick={() => setShowProfile(false)} style={{ float: 'right' }}>
            Close
          </button>
        ) : null}
        <h3>Customer</h3>
        <dl>
          <dt>Name</dt>
          <dd>{visitor?.name || '—'}</dd>
          <dt>Email</dt>
          <dd>{visitor?.email ? <a href={`mailto:${visitor.email}`}>{visitor.email}</a> : '—'}</dd>
          <dt>Phone</dt>
          <dd>{visitor?.phone || '—'}</dd>
          <dt>Platform</dt>
          <dd>{conversation.platform}</dd>
          <dt>First seen</dt>
          <dd>{visitor?.first_seen_at ? relativeTime(visitor.first_seen_at) : '—'}</dd>
          <dt>Page</dt>
          <dd>
            {/* The visitor chose this URL: a link only when it is http(s), never `javascript:` or `data:`. */}
            {visitor?.last_page_url && httpUrl(visitor.last_page_url) ? (
              <a href={httpUrl(visitor.last_page_url)!} target="_blank" rel="noreferrer noopener">
                {visitor.last_page_title || visitor.last_page_url}
              </a>
            ) : (
              <span data-testid="page-url-text">{visitor?.last_page_title || visitor?.last_page_url || '—'}</span>
            )}
          </dd>
          <dt>Browser</dt>
          <dd title={visitor?.user_agent ?? ''}>{browserName(visitor?.user_agent ?? null)}</dd>
          <dt>Locale</dt>
          <dd>{visitor?.locale || '—'}</dd>
        </dl>
        <h3>Earlier conversations</h3>
        {earlier.length ? (
          <ul>
            {earlier.map((c) => (
              <li key={c.id}>
                <Link to={`/inbox/${c.id}${location.search}`}>{c.last_message_preview || '(no messages)'}</Link>{' '}
                <span className="muted">
                  {c.status} · {relativeTime(c.last_message_at)}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None.</p>
        )}
      </aside>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const retrying = useRecover(error);
  const message = isRouteErrorResponse(error)
    ? ((error.data as { message?: string } | undefined)?.message ?? error.statusText)
    : 'This conversation could not be loaded.';
  return (
    <div className="empty" role="alert" data-testid="route-error">
      <p>{message}</p>
      {retrying ? <p className="muted">Reconnecting…</p> : null}
      <p>
        <Link to="/inbox">Back to the inbox</Link>
      </p>
    </div>
  );
}
