// What every dashboard page can use in the browser: the Realtime client, the current company and agent, and the
// tab's live store (live-store.ts), which the layout feeds from the company channel. Pages read their loader's
// data through the store, so an event updates them in place and no loader runs for it.
import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Thread, UnreadMap } from './live-state.ts';
import type { InboxSlice, LiveStore } from './live-store.ts';

export type { CompanyEvent } from './live-state.ts';

export interface DashboardContextValue {
  supabase: SupabaseClient | null;
  companyId: string;
  userId: string;
  displayName: string;
  role: 'admin' | 'agent';
  store: LiveStore;
}

export const DashboardContext = createContext<DashboardContextValue | null>(null);

export function useDashboard(): DashboardContextValue {
  const ctx = useContext(DashboardContext);
  if (!ctx) throw new Error('useDashboard outside the dashboard layout');
  return ctx;
}

/** The inbox rows of this view: the loader's (`base`), with the events since applied. */
export function useLiveInbox(base: unknown, seed: () => InboxSlice): InboxSlice {
  const { store } = useDashboard();
  const get = () => store.inboxFor(base, seed);
  return useSyncExternalStore(store.subscribe, get, get);
}

/** The open conversation and its messages: the loader's, with the events since applied. */
export function useLiveThread(base: unknown, seed: () => Thread): Thread {
  const { store } = useDashboard();
  const get = () => store.threadFor(base, seed);
  return useSyncExternalStore(store.subscribe, get, get);
}

/** Every conversation's unread count. */
export function useLiveUnread(store: LiveStore, base: unknown, seed: () => UnreadMap): UnreadMap {
  const get = () => store.unreadFor(base, seed);
  return useSyncExternalStore(store.subscribe, get, get);
}
