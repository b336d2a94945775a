import { defineConfig } from 'vitest/config';

// Two projects: `standalone` (pure code and synthetic data: nothing to load) and `models` (the bundled ONNX pack
// and GGUF, node-llama-cpp, llama.cpp's own tools). `npm run test:unit` runs both; each runs alone with
// `npm run test:standalone` or `npm run test:models`.
const shared = {
  environment: 'node',
  testTimeout: 30_000,
  // Native addons (sharp, better-sqlite3, onnxruntime, node-llama-cpp) are safest in forked workers.
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'standalone', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'models', include: ['test/models/**/*.test.ts'] } },
    ],
  },
});
