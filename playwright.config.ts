// End-to-end tests in real Chromium (tests/support/browser.ts finds one: CHROMIUM_PATH, Playwright's, Debian's, Chrome).
// The global setup starts the local stack, the dashboard and the demo page on free ports.
import { defineConfig } from '@playwright/test';
import { chromiumOrExit } from './tests/support/browser.ts';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      executablePath: chromiumOrExit(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'off',
  },
});
