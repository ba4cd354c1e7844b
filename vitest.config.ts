import { defineConfig } from 'vitest/config';

// Three projects: "unit" (pure modules, speech engines), "api" (the HTTP API against a running
// configuration; `npm test` runs it twice, TEST_MODE=embedded and TEST_MODE=distributed) and "e2e" (the
// web app in Debian's chromium against a real server).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'api',
          include: ['apps/server/test/api/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          // One build of the web app for every browser test file.
          globalSetup: ['e2e/support/build-web.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
