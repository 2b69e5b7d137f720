// The reports' figures: one SQL function each (supabase/migrations/20261207000300_report_functions.sql), called
// as the agent so RLS applies. Days and hours are in the company's time zone: its office hours' (issue 19), else UTC.
import type { SupabaseClient } from '@supabase/supabase-js';
import { check } from './query.server.ts';
import type { ReportQuery } from './reports.ts';

/** The zone a company without office hours reports in. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** The company's time zone: the one its office hours are kept in (members read them), else UTC. */
export async function companyTimeZone(supabase: SupabaseClient, companyId: string): Promise<string> {
  const row = check(await supabase.from('office_hours').select('time_zone').eq('company_id', companyId).maybeSingle(), 'office hours') as { time_zone: string } | null;
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

export interface DayRow {
  day: string;
  conversations: number;
  resolved: number;
}
export interface ResponseTimes {
  conversations: number;
  answered: number;
  first_response_median_seconds: number | null;
  first_response_p90_seconds: number | null;
  resolved: number;
  resolution_median_seconds: number | null;
}
export interface CsatRow {
  scale: 'five' | 'thumbs';
  score: number;
  ratings: number;
  satisfied: boolean;
}
export interface CsatScore {
  ratings: number;
  satisfied: number;
  score_percent: number | null;
}
export interface HourCell {
  weekday: number;
  hour: number;
  conversations: number;
}
export interface AgentRow {
  agent_id: string;
  display_name: string;
  assigned: number;
  resolved: number;
  first_responses: number;
  first_response_median_seconds: number | null;
  ratings: number;
  csat_percent: number | null;
}
export interface ConversationReportRow {
  id: string;
  started_at: string;
  status: string;
  platform: string;
  visitor_name: string | null;
  visitor_email: string | null;
  assignee_name: string | null;
  first_response_seconds: number | null;
  resolution_seconds: number | null;
  rating_scale: 'five' | 'thumbs' | null;
  rating_score: number | null;
  rating_comment: string | null;
}

const args = (companyId: string, q: ReportQuery, timeZone: string) => ({ p_company_id: companyId, p_from: q.from, p_to: q.to, p_time_zone: timeZone, p_label_id: q.label ?? null });

export interface LabelOption {
  id: string;
  name: string;
  color: string;
}

/** The company's labels, for the filter (read as the agent: members read their company's labels). */
export async function listLabels(supabase: SupabaseClient, companyId: string): Promise<LabelOption[]> {
  return check(await supabase.from('labels').select('id, name, color').eq('company_id', companyId).order('name'), 'labels') as LabelOption[];
}

async function rows<T>(supabase: SupabaseClient, fn: string, companyId: string, q: ReportQuery, timeZone: string): Promise<T[]> {
  return check(await supabase.rpc(fn, args(companyId, q, timeZone)), fn) as T[];
}

/** Every figure of the page, in parallel. */
export async function loadReport(supabase: SupabaseClient, companyId: string, q: ReportQuery, timeZone: string) {
  const [days, times, csat, score, hours, agents] = await Promise.all([
    rows<DayRow>(supabase, 'report_conversations_per_day', companyId, q, timeZone),
    rows<ResponseTimes>(supabase, 'report_response_times', companyId, q, timeZone),
    rows<CsatRow>(supabase, 'report_csat', companyId, q, timeZone),
    rows<CsatScore>(supabase, 'report_csat_score', companyId, q, timeZone),
    rows<HourCell>(supabase, 'report_busy_hours', companyId, q, timeZone),
    rows<AgentRow>(supabase, 'report_agents', companyId, q, timeZone),
  ]);
  const s = score[0] ?? { ratings: 0, satisfied: 0, score_percent: null };
  return {
    days,
    times: times[0]!,
    csat,
    score: { ...s, score_percent: s.score_percent == null ? null : Number(s.score_percent) },
    hours,
    agents: agents.map((a) => ({ ...a, csat_percent: a.csat_percent == null ? null : Number(a.csat_percent) })),
  };
}

export type Report = Awaited<ReturnType<typeof loadReport>>;

/** Rows per page of the CSV export: each page is one query that stays inside the reports' budget. */
export const EXPORT_PAGE = 1000;

/** The conversations of the range with their figures (the CSV export), read in keyset pages of EXPORT_PAGE. */
export async function* reportConversations(supabase: SupabaseClient, companyId: string, q: ReportQuery, timeZone: string): AsyncGenerator<ConversationReportRow[]> {
  let after: ConversationReportRow | undefined;
  for (;;) {
    const res = await supabase.rpc('report_conversations', {
      ...args(companyId, q, timeZone),
      p_after_started_at: after?.started_at ?? null,
      p_after_id: after?.id ?? null,
      p_limit: EXPORT_PAGE,
    });
    const page = check(res, 'report_conversations') as ConversationReportRow[];
    if (page.length) yield page;
    if (page.length < EXPORT_PAGE) return;
    after = page[page.length - 1];
  }
}
