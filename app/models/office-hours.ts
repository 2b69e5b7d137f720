// Office hours and away mode: the form's zod schema (shared by the settings page's hints and its action), and
// the mapping between the form, FormData and the office_hours row. What is open when is decided in SQL only
// (public.office_hours_open_at); this file only shapes input.
import { z } from 'zod';
import { plainText } from '../lib/validation.ts';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const AWAY_MODES = ['message', 'form'] as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_OR_MIDNIGHT = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Whether the runtime (Node on the server, the browser in the form) knows the IANA zone; Postgres checks again. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

const day = z
  .object({ open: z.boolean(), opens: z.string(), closes: z.string() })
  .superRefine((d, ctx) => {
    if (!d.open) return;
    if (!HHMM.test(d.opens)) ctx.addIssue({ code: 'custom', path: ['opens'], message: 'Use a time such as 09:00.' });
    if (!HHMM_OR_MIDNIGHT.test(d.closes)) ctx.addIssue({ code: 'custom', path: ['closes'], message: 'Use a time such as 17:00.' });
    else if (d.opens >= d.closes) ctx.addIssue({ code: 'custom', path: ['closes'], message: 'Closing must be after opening (split a night into two days).' });
  });

export const officeHoursSchema = z.object({
  enabled: z.boolean(),
  timeZone: plainText().trim().min(1, 'Choose a time zone.').max(64).refine(isTimeZone, 'Unknown time zone (use a name such as Europe/Berlin).'),
  days: z.array(day).length(7),
  closedDays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'One date per line, as YYYY-MM-DD.').refine((s) => !Number.isNaN(Date.parse(s)), 'Not a date.'))
    .max(366, 'At most 366 closed days.'),
  awayMode: z.enum(AWAY_MODES),
  awayMessage: plainText({ multiline: true }).trim().max(280, 'At most 280 characters.'),
});
export type OfficeHoursForm = z.infer<typeof officeHoursSchema>;

export interface OfficeHoursRow {
  enabled: boolean;
  time_zone: string;
  weekly: { day: number; opens: string; closes: string }[];
  closed_days: string[];
  away_mode: (typeof AWAY_MODES)[number];
  away_message: string;
}

export const DEFAULT_HOURS: OfficeHoursForm = {
  enabled: false,
  timeZone: 'UTC',
  days: WEEKDAYS.map((_, i) => ({ open: i < 5, opens: '09:00', closes: '17:00' })),
  closedDays: [],
  awayMode: 'message',
  awayMessage: '',
};

/** FormData (or the preview's query) → the schema's input. */
export function hoursFormToInput(f: { get(name: string): unknown }): unknown {
  const text = (n: string) => String(f.get(n) ?? '');
  return {
    enabled: f.get('enabled') === 'on',
    timeZone: text('timeZone'),
    days: WEEKDAYS.map((_, i) => ({ open: f.get(`day${i + 1}.open`) === 'on', opens: text(`day${i + 1}.opens`), closes: text(`day${i + 1}.closes`) })),
    closedDays: text('closedDays')
      .split(/[\s,]+/)
      .filter(Boolean),
    awayMode: text('awayMode'),
    awayMessage: text('awayMessage'),
  };
}

/** The form → the office_hours columns (one range per open day). */
export function hoursFormToRow(v: OfficeHoursForm): OfficeHoursRow {
  return {
    enabled: v.enabled,
    time_zone: v.timeZone,
    weekly: v.days.flatMap((d, i) => (d.open ? [{ day: i + 1, opens: d.opens, closes: d.closes }] : [])),
    closed_days: [...new Set(v.closedDays)].sort(),
    away_mode: v.awayMode,
    away_message: v.awayMessage,
  };
}

/** The row → the form (a day with several ranges shows its first opening to its last closing). */
export function hoursRowToForm(row: OfficeHoursRow | null): OfficeHoursForm {
  if (!row) return DEFAULT_HOURS;
  return {
    enabled: row.enabled,
    timeZone: row.time_zone,
    days: WEEKDAYS.map((_, i) => {
      const ranges = row.weekly.filter((r) => r.day === i + 1);
      return ranges.length
        ? { open: true, opens: ranges.map((r) => r.opens).sort()[0]!, closes: ranges.map((r) => r.closes).sort().at(-1)! }
        : { open: false, opens: '09:00', closes: '17:00' };
    }),
    closedDays: row.closed_days,
    awayMode: row.away_mode,
    awayMessage: row.away_message,
  };
}
