// pg_cron's schedule syntax (reference §9): five fields (minute hour day-of-month month day-of-week, with
// `*`, lists, ranges, steps, names), `@hourly`-style macros, or `N seconds`; times in UTC, as pg_cron's default.
export type Schedule = { seconds: number } | { matches(at: Date): boolean };

const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@hourly': '0 * * * *',
};
const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

function field(text: string, [lo, hi]: [number, number]): Set<number> {
  const out = new Set<number>();
  const num = (s: string) => {
    const n = NAMES[s.toLowerCase()] ?? Number(s);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`invalid schedule field: ${text}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid schedule step: ${part}`);
    let [from, to] = [lo, hi];
    if (range !== '*') {
      const [a = '', b] = range.split('-');
      from = num(a);
      to = b === undefined ? (stepText === undefined ? from : hi) : num(b);
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

export function parseSchedule(text: string): Schedule | null {
  const t = text.trim();
  const secs = /^([1-9]|[1-5][0-9])\s+seconds?$/.exec(t);
  if (secs) return { seconds: Number(secs[1]) };
  if (t === '@reboot') return null;
  const parts = (MACROS[t] ?? t).split(/\s+/);
  if (parts.length !== 5) throw new Error(`invalid schedule: ${text}`);
  const [min, hour, dom, mon, dow] = parts.map((p, i) => field(p, RANGES[i] as [number, number])) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dow.has(7)) dow.add(0);
  const domAny = parts[2] === '*';
  const dowAny = parts[4] === '*';
  return {
    matches(at) {
      const dayOk = domAny || dowAny ? dom.has(at.getUTCDate()) && dow.has(at.getUTCDay()) : dom.has(at.getUTCDate()) || dow.has(at.getUTCDay());
      return min.has(at.getUTCMinutes()) && hour.has(at.getUTCHours()) && mon.has(at.getUTCMonth() + 1) && dayOk;
    },
  };
}
