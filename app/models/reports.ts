// The reports' query (date range and label, shared by the page's loader and the CSV export) and how figures read.
import { z } from 'zod';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-01.').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Not a calendar date.');

/** The longest range a report covers (a year and a day: any calendar year fits). */
export const MAX_REPORT_DAYS = 366;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The last 30 days up to `today` (UTC), the range a report opens with. */
export function defaultRange(today = new Date().toISOString().slice(0, 10)) {
  return { from: addDays(today, -29), to: today };
}

export const reportQuerySchema = z
  .object({ from: isoDay, to: isoDay, label: z.string().uuid('Choose a label from the list.').optional() })
  .refine((q) => q.from <= q.to, { message: 'The start must not be after the end.', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_REPORT_DAYS, { message: `A report covers at most ${MAX_REPORT_DAYS} days.`, path: ['to'] });

export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** The query of a URL's search params: the default range for what is missing, all labels when none is chosen. */
export function readReportQuery(params: URLSearchParams) {
  const range = defaultRange();
  return reportQuerySchema.safeParse({ from: params.get('from') || range.from, to: params.get('to') || range.to, label: params.get('label') || undefined });
}

/** 75 → "1m 15s", 3600 → "1h 0m"; null → "—". */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}

/** 50 → "50.0%" (the SQL rounds to one decimal); null → "—". */
export const percent = (p: number | null | undefined) => (p == null ? '—' : `${p.toFixed(1)}%`);

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** A rating's words: "4 stars", "Thumbs up". */
export function scoreLabel(scale: 'five' | 'thumbs', score: number): string {
  if (scale === 'thumbs') return score === 1 ? 'Thumbs up' : 'Thumbs down';
  return `${score} star${score === 1 ? '' : 's'}`;
}
