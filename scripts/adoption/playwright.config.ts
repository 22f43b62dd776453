/*
 * The adoption test's browser part (scripts/adoption.sh starts the fresh app
 * in development mode on :3000 first), in the machine's Chromium.
 */
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'adoption.spec.ts',
  timeout: 300_000,
  outputDir: '../../node_modules/.cache/adoption-test-results',
  use: { ...base.use, baseURL: 'http://localhost:3000' },
});
