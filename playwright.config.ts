import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * Browser end-to-end tests of the demo portal, in Debian's Chromium
 * (/usr/bin/chromium) driven by Playwright. Playwright's own browser downloads
 * are not reachable here, so the system browser is launched directly.
 *
 * scripts/test.sh starts the portal and sets PLAYWRIGHT_URL; to run against a
 * portal you started with scripts/start.sh: `yarn test:e2e`.
 */
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    actionTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: chromium,
  },
  outputDir: 'node_modules/.cache/e2e-test-results',
  // One project per package with an e2e-tests folder, all in the system Chromium.
  projects: generateProjects().map(project => ({
    ...project,
    use: { browserName: 'chromium' as const, launchOptions: chromium },
  })),
});
