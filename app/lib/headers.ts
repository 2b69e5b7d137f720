// Remix only sends the leaf route's `headers()` on document requests: every route with a loader re-exports
// this so Set-Cookie from a refreshed session (set in any loader on the path) reaches the browser.
import type { HeadersFunction } from '@remix-run/node';

export const sessionHeaders: HeadersFunction = ({ parentHeaders, loaderHeaders, actionHeaders, errorHeaders }) => {
  const out = new Headers();
  const seen = new Set<string>();
  for (const h of [parentHeaders, loaderHeaders, actionHeaders, errorHeaders]) {
    if (!h) continue;
    for (const c of h.getSetCookie()) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.append('Set-Cookie', c);
    }
  }
  out.set('Cache-Control', 'private, no-store');
  return out;
};
