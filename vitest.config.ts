import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    // Native addons (sharp, better-sqlite3) are safest in forked workers.
    pool: 'forks',
  },
});
