// RFC 4180 CSV with formula-injection guarding: a text cell that starts with = + - @ (or a tab or carriage
// return) gets a leading apostrophe, so a spreadsheet shows it instead of running it. Numbers stay numbers.
type Cell = string | number | null | undefined;

export function csvCell(v: Cell): string {
  if (v == null) return '';
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
