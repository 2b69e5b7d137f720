// GoTrue's input checks shared by sign-up, user updates and the admin API: email, password, page parameters, metadata, bans.
import { AuthError } from './errors.ts';

/**
 * The email syntax GoTrue accepts (its checkmail format check): a dot-atom-like local part and dot-separated
 * host labels of letters, digits and inner hyphens. `xx:;x@x.x` is refused, as on hosted Auth.
 */
export const EMAIL_FORMAT = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's length limit and format check, with its messages (400 validation_failed). */
export function checkEmailFormat(email: string): void {
  if (email.length > 255) throw new AuthError(400, 'validation_failed', 'An email address is too long');
  if (!EMAIL_FORMAT.test(email)) throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
}

/** An unsigned decimal, as Go's strconv.ParseUint reads `page` / `per_page`; anything else is a 400. */
function unsigned(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    throw new AuthError(400, 'validation_failed', `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(raw);
}

/** The admin list's page and page size (GoTrue defaults: page 1, 50 a page). */
export function pagination(url: URL): { page: number; perPage: number } {
  return { page: unsigned(url, 'page', 1), perPage: unsigned(url, 'per_page', 50) };
}

/** GoTrue's password rules: required, at most 72 bytes (bcrypt), at least `minimum_password_length` characters. */
export function checkPassword(password: unknown, minimumLength: number): string {
  if (typeof password !== 'string' || password === '') throw new AuthError(400, 'validation_failed', 'Signup requires a valid password');
  if (Buffer.byteLength(password) > 72) throw new AuthError(400, 'validation_failed', 'Password cannot be longer than 72 characters');
  if ([...password].length < minimumLength) {
    throw new AuthError(422, 'weak_password', `Password should be at least ${minimumLength} characters.`, {
      weak_password: { reasons: ['length'] },
    });
  }
  return password;
}

/** A trimmed, lower-cased address that passed the format check. */
export function checkEmail(email: unknown): string {
  if (typeof email !== 'string') throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
  checkEmailFormat(email.trim());
  return email.trim().toLowerCase();
}

/** `data`, `user_metadata`, `app_metadata`: absent or an object. */
export function metadataObject(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new AuthError(400, 'validation_failed', `${field} must be an object`);
  return v as Record<string, unknown>;
}

/** `ban_duration`: Go's duration syntax (`24h`, `1h30m`, `90s`) or `none` (lifts the ban). */
export function banUntil(duration: unknown): Date | null | undefined {
  if (duration === undefined) return undefined;
  if (duration === 'none') return null;
  const m = typeof duration === 'string' ? /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration) : null;
  if (!m || duration === '') throw new AuthError(400, 'validation_failed', 'invalid format for ban duration');
  const secs = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return new Date(Date.now() + secs * 1000);
}
