// Which Chromium the browser tests drive: CHROMIUM_PATH, then Playwright's own installed browser, then Debian's
// /usr/bin/chromium, then an installed Chrome. With none, the run stops at once with one line saying how to get one.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome'];

export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
  }
  let playwrights: string | undefined;
  try {
    playwrights = chromium.executablePath();
  } catch {
    // No Playwright browser registry entry: look for a system one.
  }
  const found = [playwrights, ...SYSTEM_BROWSERS].find((p): p is string => Boolean(p && existsSync(p)));
  if (found) return found;
  throw new Error('No Chromium found for the browser tests: run `npx playwright install chromium`, or `apt-get install chromium` (or set CHROMIUM_PATH).');
}

/** findChromium for a Playwright config: with no browser, one line on stderr and exit 1 (no stack trace). */
export function chromiumOrExit(): string {
  try {
    return findChromium();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
