// Fault tests in real Chromium (tests/faults/*.spec.ts): each test starts and breaks a stack of its own,
// so there is no global setup. `npm run test:faults` runs them with the fuzz and flood suites.
import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

export default defineConfig({
  ...base,
  testDir: 'tests/faults',
  testMatch: '**/*.spec.ts',
  globalSetup: undefined,
  timeout: 300_000,
  expect: { timeout: 15_000 },
});
