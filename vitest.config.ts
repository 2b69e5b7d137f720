import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'local-supabase/tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share one stack; a few files at a time keep the 2-core machine responsive.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
