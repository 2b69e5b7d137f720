// The signed-in shell: navigation, company switcher, one Realtime subscription to the company's events (applied
// in place by the tab's live store; the loaders re-run only on each join, when a hidden tab shows again, or when an
// event says something its payload cannot), alerts, and the unread count in the tab title.
import type { MetaFunction } from '@remix-run/node';
import {
  Form,
  isRouteErrorResponse,
  NavLink,
  Outlet,
  type ShouldRevalidateFunction,
  useFetchers,
  useLoaderData,
  useNavigation,
  useRevalidator,
  useRouteError,
} from '@remix-run/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { watchCompany } from '../../lib/company-events.client.ts';
import { DashboardContext, type DashboardContextValue, useLiveUnread } from '../../lib/dashboard-context.tsx';
import { needsReread } from '../../lib/live-events.ts';
import { totalUnread } from '../../lib/live-state.ts';
import { LiveStore } from '../../lib/live-store.ts';
import { type PresenceHub, presenceHub } from '../../lib/presence.client.ts';
import { PresenceContext } from '../../lib/presence-context.tsx';
import { browserSupabase } from '../../lib/realtime.client.ts';
import { liveShouldRevalidate, setChannelLive } from '../../lib/revalidation.ts';
import { announceAvailability, type TypingHub, typingHub } from '../../lib/typing.client.ts';
import { TypingContext } from '../../lib/typing-context.tsx';
import { useRecover } from '../../lib/use-recover.ts';
import type { loader } from './dashboard.server.ts';

export { loader } from './dashboard.server.ts';
// The shell's data (agent, memberships, unread counts) does not depend on the URL: moving between pages re-reads
// nothing; a re-read (a join, a visible tab again) and other actions (company switch, team, settings) do.
export const shouldRevalidate: ShouldRevalidateFunction = (args) => {
  if (!args.formMethod && args.currentUrl.href !== args.nextUrl.href) return false;
  return liveShouldRevalidate(args);
};

const titleFor = (unread: number) => (unread > 0 ? `(${unread}) Porchlight` : 'Porchlight');

// The unread count in the tab title as rendered; the layout keeps it current as events arrive.
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: titleFor(data ? data.unread.reduce((n, c) => n + c.unread, 0) : 0) }];
export { sessionHeaders as headers } from '../../lib/headers.ts';

function beep() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  } catch {
    // No audio available (autoplay policy): the notification still shows.
  }
}

export default function DashboardLayout() {
  const data = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const [supabase, setSupabase] = useState<DashboardContextValue['supabase']>(null);
  const [presence, setPresence] = useState<PresenceHub | null>(null);
  const [typing, setTyping] = useState<TypingHub | null>(null);
  const [store] = useState(() => new LiveStore());
  const navigation = useNavigation();
  const fetchers = useFetchers();
  // A navigation, a revalidation, or the one that follows a fetcher's action.
  const reading = navigation.state === 'loading' || revalidator.state === 'loading' || fetchers.some((f) => f.state === 'loading');
  useEffect(() => {
    if (reading) store.reading();
  }, [reading, store]);
  const unreadMap = useLiveUnread(store, data.unread, () => new Map(data.unread.map((c) => [c.id, { unread: c.unread, lastMessageAt: c.lastMessageAt }])));
  const unread = totalUnread(unreadMap);
  useEffect(() => {
    document.title = titleFor(unread);
  });
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const [alertsAsked, setAlertsAsked] = useState(true);
  useEffect(() => setAlertsAsked(typeof Notification === 'undefined' || Notification.permission !== 'default'), []);
  const revalidateRef = useRef(revalidator.revalidate);
  revalidateRef.current = revalidator.revalidate;

  useEffect(() => {
    const client = browserSupabase(data.env.supabaseUrl, data.env.anonKey);
    setSupabase(client);
    setPresence(presenceHub(client, data.user.id));
    setTyping(typingHub(client, data.current.displayName));
  }, [data.env.supabaseUrl, data.env.anonKey, data.user.id, data.current.displayName]);

  // The agent is online for the company's visitors while this dashboard is open (ADR 0011).
  useEffect(() => {
    if (!supabase || !data.widgetKey) return;
    return announceAvailability(supabase, data.widgetKey, data.current.displayName);
  }, [supabase, data.widgetKey, data.current.displayName]);

  // Company events are applied in place. The loaders re-run (debounced) on every join, the first one included:
  // what happened between the server render and the join, or while offline, is read from the database.
  useEffect(() => {
    if (!supabase) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => revalidateRef.current(), 120);
    };
    const stop = watchCompany(supabase, data.current.realtimeTopic, {
      onEvent(e) {
        store.apply(e);
        if (e.event === 'message.created' && e.payload.sender_kind === 'visitor' && document.hidden) notify('New message from a visitor');
        // The Auto Bot handed a conversation over (widget_handoff): someone should answer, tab hidden or not.
        if (e.event === 'conversation.handoff') notify('A visitor asked to talk to a person');
        // company.topic_changed (a member was removed, the topic moved: the loader reads the new one), or a payload
        // this code cannot apply.
        if (needsReread(e)) refresh();
      },
      onStatus(status) {
        setLive(status === 'denied' ? 'offline' : status);
        setChannelLive(status === 'live');
        if (status !== 'offline') refresh();
      },
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [supabase, data.current.realtimeTopic, store]);

  // A hidden tab may have been throttled or frozen by the browser (timers, sockets): catch up once it shows again.
  useEffect(() => {
    let wasHidden = document.hidden;
    const onVisibility = () => {
      if (document.hidden) wasHidden = true;
      else if (wasHidden) {
        wasHidden = false;
        revalidateRef.current();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  const ctx = useMemo<DashboardContextValue>(
    () => ({
      supabase,
      companyId: data.current.companyId,
      userId: data.user.id,
      displayName: data.current.displayName,
      role: data.current.role,
      store,
    }),
    [supabase, data.current.companyId, data.user.id, data.current.displayName, data.current.role, store],
  );

  const isAdmin = data.current.role === 'admin';
  return (
    <DashboardContext.Provider value={ctx}>
      <PresenceContext.Provider value={presence}>
        <TypingContext.Provider value={typing}>
        <div className="shell">
          <header className="topbar">
            <NavLink to="/inbox" className="brand">
              <span className="logo" aria-hidden="true">◉</span> Porchlight
            </NavLink>
            <nav className="mainnav" aria-label="Main">
              <NavLink to="/inbox">
                Inbox
                {unread > 0 ? (
                  <span className="badge" title={`${unread} unread`} data-testid="total-unread">
                    {unread}
                  </span>
                ) : null}
              </NavLink>
              <NavLink to="/reports">Reports</NavLink>
              {isAdmin ? <NavLink to="/settings/widget">Widget</NavLink> : null}
              {isAdmin ? <NavLink to="/settings/hours">Hours</NavLink> : null}
              {isAdmin ? <NavLink to="/settings/email">Email</NavLink> : null}
              {isAdmin ? <NavLink to="/settings/channels">Channels</NavLink> : null}
              {isAdmin ? <NavLink to="/team">Team</NavLink> : null}
              {isAdmin ? <NavLink to="/settings/labels">Labels</NavLink> : null}
              {isAdmin ? <NavLink to="/settings/canned">Canned replies</NavLink> : null}
              {isAdmin ? <NavLink to="/help">Help center</NavLink> : null}
            </nav>
            {alertsAsked ? null : (
              <button type="button" className="link" onClick={() => void Notification.requestPermission().finally(() => setAlertsAsked(true))}>
                Enable alerts
              </button>
            )}
            <span className={`live live-${live}`} data-testid="live-status" data-status={live} title={live === 'live' ? 'Live updates on' : 'Reconnecting…'} />
            {data.memberships.length > 1 ? (
              <Form method="post" action="/company" className="company-switcher">
                <label className="sr-only" htmlFor="company-select">
                  Company
                </label>
                <select
                  id="company-select"
                  name="companyId"
                  defaultValue={data.current.companyId}
                  onChange={(e) => e.currentTarget.form?.requestSubmit()}
                >
                  {data.memberships.map((m) => (
                    <option key={m.companyId} value={m.companyId}>
                      {m.companyName}
                    </option>
                  ))}
                </select>
                <noscript>
                  <button type="submit">Switch</button>
                </noscript>
              </Form>
            ) : (
              <span className="company-name">{data.current.companyName}</span>
            )}
            <Form method="post" action="/logout" className="signout">
              <span className="muted me" title={data.user.email}>
                {data.current.displayName || data.user.email}
              </span>
              <button type="submit" className="link">
                Sign out
              </button>
            </Form>
          </header>
          <Outlet />
        </div>
        </TypingContext.Provider>
      </PresenceContext.Provider>
    </DashboardContext.Provider>
  );
}

function notify(body: string) {
  beep();
  if (typeof Notification === 'undefined') return;
  const show = () => new Notification('New message · Porchlight', { body: body.slice(0, 140), tag: 'porchlight-message' });
  if (Notification.permission === 'granted') show();
}

/** The signed-in shell failed to load: a passing outage is retried until the page is back; others explain. */
export function ErrorBoundary() {
  const error = useRouteError();
  const retrying = useRecover(error);
  const data = isRouteErrorResponse(error) ? (error.data as { message?: string } | string | undefined) : undefined;
  const message = typeof data === 'string' ? data : (data?.message ?? 'The dashboard could not be loaded.');
  return (
    <main className="error-page" role="alert" data-testid="route-error">
      <h1>{retrying ? 'Reconnecting…' : 'Something went wrong'}</h1>
      <p>{message}</p>
      <p>
        <a href="/inbox">Back to the inbox</a> · <a href="/login">Sign in</a>
      </p>
    </main>
  );
}
