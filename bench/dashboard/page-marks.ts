// bench:dashboard's in-page timing marks (first inbox row, newest message rendered) and time to first byte.
import type { Page } from '@playwright/test';
import { BIG_CONVERSATION_MESSAGES } from './config.ts';

// In-page marks, so Playwright's polling and its round trips to the browser are not in the figures: a
// MutationObserver notes (performance.now(), ms since navigation start) when the first inbox row and the
// newest message of the big conversation enter the DOM, and the next animation frame after that (painted).
export const MARKS = `
  window.__bench = { row: null, newest: null, clickAt: null };
  const seen = (key, at) => { if (window.__bench[key] === null) { window.__bench[key] = { inserted: at, painted: null }; requestAnimationFrame(() => (window.__bench[key].painted = performance.now())); } };
  const check = () => {
    const at = performance.now();
    if (window.__bench.row === null && document.querySelector('[data-testid="conversation-list"] li')) seen('row', at);
    if (window.__bench.newest === null) for (const m of document.querySelectorAll('[data-testid="message"]')) if (m.textContent.includes('Long thread ${BIG_CONVERSATION_MESSAGES}')) { seen('newest', at); break; }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
`;
export type Mark = { inserted: number; painted: number };
export const marks = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { row: Mark | null; newest: Mark | null; clickAt: number | null } }).__bench);
/** Server time: navigation start to the first byte of the HTML. */
export const ttfb = (page: Page) => page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).responseStart);
