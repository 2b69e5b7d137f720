// Only same-site relative paths are followed after sign-in; anything else goes to the inbox.
export const DEFAULT_REDIRECT = '/inbox';

export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = DEFAULT_REDIRECT): string {
  if (typeof to !== 'string' || !to) return fallback;
  // A path: starts with one slash, not `//host` or `/\host` (browsers treat both as another origin).
  if (!to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback;
  // No control characters or backslashes anywhere (e.g. `/\t/evil.com`).
  if ([...to].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\\')) return fallback;
  try {
    const url = new URL(to, 'http://dashboard.invalid');
    if (url.origin !== 'http://dashboard.invalid') return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
