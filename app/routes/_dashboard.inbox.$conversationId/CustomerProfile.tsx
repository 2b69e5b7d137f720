// The visitor beside the thread: who they are, where they are on the site, their browser, earlier conversations.
import { Link, useLocation } from '@remix-run/react';
import { relativeTime } from '../../lib/format.ts';
import { httpUrl } from '../../lib/safe-redirect.ts';
import type { ConversationRow } from '../../models/conversations.server.ts';
import type { VisitorRow } from '../../models/visitors.server.ts';

type Earlier = Pick<ConversationRow, 'id' | 'status' | 'platform' | 'last_message_at' | 'last_message_preview'>;

function browserName(ua: string | null): string {
  if (!ua) return '—';
  const m = /(Edg|Firefox|Chrome|Safari)\/(\d+)/.exec(ua);
  const name = m ? ({ Edg: 'Edge' } as Record<string, string>)[m[1]!] ?? m[1] : 'Unknown';
  const os = /Windows|Mac OS X|Android|iPhone|Linux/.exec(ua)?.[0]?.replace('Mac OS X', 'macOS') ?? '';
  return `${name}${m ? ` ${m[2]}` : ''}${os ? ` on ${os}` : ''}`;
}

export function CustomerProfile({
  visitor,
  platform,
  earlier,
  open,
  onClose,
  children,
}: {
  visitor: VisitorRow | null;
  platform: string;
  earlier: Earlier[];
  open: boolean;
  onClose: () => void;
  /** More about the visitor below (the conversation's files). */
  children?: React.ReactNode;
}) {
  const location = useLocation();
  return (
    <aside className={`profile${open ? ' open' : ''}`} aria-label="Customer info" data-testid="profile" hidden={false}>
      {open ? (
        <button type="button" className="link" onClick={onClose} style={{ float: 'right' }}>
          Close
        </button>
      ) : null}
      <h3>Customer</h3>
      <dl>
        <dt>Name</dt>
        <dd>{visitor?.name || '—'}</dd>
        <dt>Email</dt>
        <dd>{visitor?.email ? <a href={`mailto:${visitor.email}`}>{visitor.email}</a> : '—'}</dd>
        <dt>Identity</dt>
        <dd data-testid="identity">{visitor?.verified_visitor_id ? 'Verified by your site' : 'Not verified'}</dd>
        <dt>Phone</dt>
        <dd>{visitor?.phone || '—'}</dd>
        <dt>Platform</dt>
        <dd>{platform}</dd>
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
      {children}
    </aside>
  );
}
