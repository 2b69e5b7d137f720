// GoTrue's input checks the admin API shares with sign-up: the email format it accepts and the page parameters.
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
