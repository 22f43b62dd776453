/*
 * The two-replica test (scripts/replicas.sh builds the image and starts the
 * demo clusters first; the test starts the replicas and the proxy itself),
 * in the machine's Chromium.
 */
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'replicas.spec.ts',
  timeout: 300_000,
  outputDir: '../../node_modules/.cache/replicas-test-results',
  use: { ...base.use, baseURL: 'http://localhost:7100' },
});
