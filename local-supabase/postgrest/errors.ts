// PostgREST's error body {code, message, details, hint} and its SQLSTATE → HTTP status table (reference §4.5,
// PostgREST src/PostgREST/Error.hs mapSQLtoHTTP).
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly hint: string | null = null,
    readonly headers: Record<string, string> = {},
    /** True when the error may come from a stale schema cache (unknown table/column/relationship/function). */
    readonly cacheMiss = false,
  ) {
    super(message);
  }
  body() {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** `authed`: the request runs as a role other than anon (PostgREST answers 42501 with 401 only for anon). */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  if (code === '42501') return authed ? 403 : 401;
  if (code === '23505' || code === '23503') return 409;
  if (code === '42P01' || code === '42883') return 404;
  if (code === 'P0001') return 400;
  if (code === '25006') return 405;
  // pg-safeupdate raises 21000 "… requires a WHERE clause": a client error; other 21000s are server errors.
  if (code === '21000') return /requires a WHERE clause$/.test(message) ? 400 : 500;
  // A JWT role that does not exist.
  if (code === '22023') return /^role .* does not exist$/.test(message) ? 401 : 400;
  if (code.startsWith('08') || (code.startsWith('53') && code !== '53400') || code === '57P01') return 503;
  if (code.startsWith('28') || code.startsWith('0L') || code.startsWith('0P')) return 403;
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  if (code === '42P17' || code === '53400' || /^(09|25|2D|38|39|3B|40|54|55|57|58|F0|HV|P0|XX)/.test(code)) return 500;
  return 400;
}

/** `raise sqlstate 'PGRST' using message = '{"code":…}', detail = '{"status":…,"headers":{…}}'`. */
function raisedPgrst(e: { message?: string; detail?: string }): RestError {
  try {
    const m = JSON.parse(e.message ?? '') as { code: string; message: string; details?: string; hint?: string };
    const d = JSON.parse(e.detail ?? '') as { status: number; headers?: Record<string, string> };
    if (typeof m.code !== 'string' || typeof m.message !== 'string' || typeof d.status !== 'number') throw new Error('shape');
    return new RestError(d.status, m.code, m.message, m.details ?? null, m.hint ?? null, d.headers ?? {});
  } catch {
    return new RestError(500, 'PGRST121', 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error');
  }
}

/** Turns a Postgres error into PostgREST's response. */
export function fromPgError(err: unknown, authed: boolean): RestError {
  const e = err as { code?: string; message?: string; detail?: string; hint?: string; severity?: string };
  if (!e.severity || !e.code) {
    // Not an error reported by Postgres: a lost or refused connection, or a bug of ours.
    if (/^E[A-Z]+$/.test(e.code ?? '') || /connect|terminat/i.test(e.message ?? '')) {
      return new RestError(503, 'PGRST000', 'Database connection error. Retrying the connection.', e.message ?? null);
    }
    return new RestError(500, 'PGRSTX00', e.message ?? 'unexpected error');
  }
  if (e.code === 'PGRST') return raisedPgrst(e);
  const message = e.message ?? '';
  const status = statusForSqlState(e.code, message, authed);
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  const stale = e.code === '42P01' || e.code === '42703' || e.code === '42883';
  return new RestError(status, e.code, message, e.detail ?? null, e.hint ?? null, headers, stale);
}
