// URLs we let the browser follow: after sign-in only same-site relative paths (else the inbox); visitor-supplied
// page links only when they are http(s).
export const DEFAULT_REDIRECT = '/inbox';

/** A path a browser resolves against our own origin: one leading slash, no `//`, no backslash, no controls. */
function isLocalPath(s: string): boolean {
  if (!s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\')) return false;
  return ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === '\\');
}

export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = DEFAULT_REDIRECT): string {
  if (typeof to !== 'string' || !to || !isLocalPath(to)) return fallback;
  try {
    const url = new URL(to, 'http://dashboard.invalid');
    if (url.origin !== 'http://dashboard.invalid') return fallback;
    // Normalising can make a path unsafe (`/.//evil.example` → `//evil.example`): check what we return, too.
    const out = url.pathname + url.search + url.hash;
    return isLocalPath(out) ? out : fallback;
  } catch {
    return fallback;
  }
}

/** A visitor-supplied URL fit for an href (http or https only; `javascript:` and the like are shown as text). */
export function httpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
