// What every dashboard page can use in the browser: the Realtime client, the current company and agent,
// and a subscription to the company's live events (fanned out by the layout from one channel).
import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext, useContext, useEffect, useRef } from 'react';

export interface CompanyEvent {
  event: string;
  payload: Record<string, unknown>;
}

export interface DashboardContextValue {
  supabase: SupabaseClient | null;
  companyId: string;
  userId: string;
  displayName: string;
  role: 'admin' | 'agent';
  subscribe(listener: (e: CompanyEvent) => void): () => void;
}

export const DashboardContext = createContext<DashboardContextValue | null>(null);

export function useDashboard(): DashboardContextValue {
  const ctx = useContext(DashboardContext);
  if (!ctx) throw new Error('useDashboard outside the dashboard layout');
  return ctx;
}

export function useCompanyEvents(listener: (e: CompanyEvent) => void) {
  const { subscribe } = useDashboard();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe((e) => ref.current(e)), [subscribe]);
}
