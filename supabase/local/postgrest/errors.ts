// PostgREST's error body {code, message, details, hint} and its SQLSTATE → HTTP status table (reference §4.5).
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  body() {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

export function statusForSqlState(code: string, role: string): number {
  if (code === '42501') return role === 'anon' ? 401 : 403;
  if (code === '23505' || code === '23503') return 409;
  if (code === '42P01' || code === '42883') return 404;
  if (code === 'P0001') return 400;
  if (code === '25006') return 405;
  if (code.startsWith('08') || (code.startsWith('53') && code !== '53400') || code === '57P01') return 503;
  if (code.startsWith('28') || code.startsWith('0L') || code.startsWith('0P')) return 403;
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  if (
    code === '42P17' ||
    code === '53400' ||
    /^(25|2D|38|39|3B|40|54|55|57|58|F0|HV|P0|XX)/.test(code)
  ) {
    return 500;
  }
  return 400;
}

/** Turns a Postgres error into PostgREST's response. */
export function fromPgError(err: unknown, role: string): RestError {
  const e = err as { code?: string; message?: string; detail?: string; hint?: string };
  if (!e.code) return new RestError(500, 'PGRST000', e.message ?? 'unexpected error');
  const status = statusForSqlState(e.code, role);
  const headers: Record<string, string> = {};
  if (e.code === '42501' && role === 'anon') headers['WWW-Authenticate'] = 'Bearer';
  return new RestError(status, e.code, e.message ?? '', e.detail ?? null, e.hint ?? null, headers);
}
