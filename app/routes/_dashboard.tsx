// The signed-in shell: navigation, company switcher, one Realtime subscription to the company's events
// (which revalidates the data on screen), alerts, and the unread count in the tab title.
import type { MetaFunction } from '@remix-run/node';
import { Form, isRouteErrorResponse, NavLink, Outlet, useLoaderData, useRevalidator, useRouteError } from '@remix-run/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { watchCompany } from '../lib/company-events.client.ts';
import type { dashboardLoader } from '../lib/dashboard.server.ts';
import { type CompanyEvent, DashboardContext, type DashboardContextValue } from '../lib/dashboard-context.tsx';
import { type PresenceHub, presenceHub } from '../lib/presence.client.ts';
import { PresenceContext } from '../lib/presence-context.tsx';
import { browserSupabase } from '../lib/realtime.client.ts';
import { useRecover } from '../lib/use-recover.ts';

export { dashboardLoader as loader } from '../lib/dashboard.server.ts';

// The unread count in the tab title (child routes have no meta of their own, so this one applies).
export const meta: MetaFunction<typeof dashboardLoader> = ({ data }) => [
  { title: data && data.unread > 0 ? `(${data.unread}) Porchlight` : 'Porchlight' },
];
export { sessionHeaders as headers } from '../lib/headers.ts';

type LoaderData = {
  env: { supabaseUrl: string; anonKey: string };
  user: { id: string; email: string };
  current: { companyId: string; companyName: string; role: 'admin' | 'agent'; displayName: string; realtimeTopic: string };
  memberships: { companyId: string; companyName: string; role: 'admin' | 'agent' }[];
  unread: number;
};

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
  const data = useLoaderData<LoaderData>();
  const revalidator = useRevalidator();
  const [supabase, setSupabase] = useState<DashboardContextValue['supabase']>(null);
  const [presence, setPresence] = useState<PresenceHub | null>(null);
  const listeners = useRef(new Set<(e: CompanyEvent) => void>());
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const [alertsAsked, setAlertsAsked] = useState(true);
  useEffect(() => setAlertsAsked(typeof Notification === 'undefined' || Notification.permission !== 'default'), []);
  const revalidateRef = useRef(revalidator.revalidate);
  revalidateRef.current = revalidator.revalidate;

  useEffect(() => {
    const client = browserSupabase(data.env.supabaseUrl, data.env.anonKey);
    setSupabase(client);
    setPresence(presenceHub(client, data.user.id));
  }, [data.env.supabaseUrl, data.env.anonKey, data.user.id]);

  // Company events → revalidate (debounced). Every join revalidates too, the first one included: what happened
  // between the server render and the join, or while offline, is read from the database.
  useEffect(() => {
    if (!supabase) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => revalidateRef.current(), 120);
    };
    // Company events are signals (ids, kinds, times); what was said is read through the loaders (RLS).
    const stop = watchCompany(supabase, data.current.realtimeTopic, {
      onEvent(e) {
        for (const l of listeners.current) l(e);
        if (e.event === 'message.created' && e.payload.sender_kind === 'visitor' && document.hidden) notify('New message from a visitor');
        // company.topic_changed: a member was removed and the topic moved; the loader reads the new one.
        refresh();
      },
      onStatus(status) {
        setLive(status === 'denied' ? 'offline' : status);
        if (status !== 'offline') refresh();
      },
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [supabase, data.current.realtimeTopic]);

  // Other tabs read and reply too: catch up when this tab becomes visible again.
  useEffect(() => {
    const onVisible = () => {
      if (!document.hidden) revalidateRef.current();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);


  const ctx = useMemo<DashboardContextValue>(
    () => ({
      supabase,
      companyId: data.current.companyId,
      userId: data.user.id,
      displayName: data.current.displayName,
      role: data.current.role,
      subscribe(listener) {
        listeners.current.add(listener);
        return () => listeners.current.delete(listener);
      },
    }),
    [supabase, data.current.companyId, data.user.id, data.current.displayName, data.current.role],
  );

  const isAdmin = data.current.role === 'admin';
  return (
    <DashboardContext.Provider value={ctx}>
      <PresenceContext.Provider value={presence}>
        <div className="shell">
          <header className="topbar">
            <NavLink to="/inbox" className="brand">
              <span className="logo" aria-hidden="true">◉</span> Porchlight
            </NavLink>
            <nav className="mainnav" aria-label="Main">
              <NavLink to="/inbox">
                Inbox
                {data.unread > 0 ? (
                  <span className="badge" title={`${data.unread} unread`} data-testid="total-unread">
                    {data.unread}
                  </span>
                ) : null}
              </NavLink>
              {isAdmin ? <NavLink to="/settings/widget">Widget</NavLink> : null}
              {isAdmin ? <NavLink to="/team">Team</NavLink> : null}
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
