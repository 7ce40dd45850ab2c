// Headless Chromium for the browser tests (the web chat, the handoff inbox): every page records
// the URLs it requested and each error it showed (page errors, console errors and, when asked,
// HTTP answers of 400 and up), so a test can assert it loaded nothing from elsewhere and logged
// nothing; screenshots go to test-results/.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, type Browser, type Page } from '@steward/channels/testing';

const SHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-results');

export interface PageOptions {
  viewport: { width: number; height: number };
  locale?: string;
  /** Prefix of this page's problems, when a test drives several pages. */
  who?: string;
  /** Count an HTTP answer of 400 or more as a problem. */
  failedResponses?: boolean;
}

export interface WatchedBrowser {
  /** Every URL any page requested. */
  requested: string[];
  /** Every error any page showed. */
  problems: string[];
  newPage(o: PageOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<WatchedBrowser> {
  const browser: Browser = await launchChromium();
  const requested: string[] = [];
  const problems: string[] = [];
  return {
    requested,
    problems,
    async newPage(o) {
      const page = await browser.newPage({ viewport: o.viewport, ...(o.locale ? { locale: o.locale } : {}) });
      const tag = o.who ? `${o.who} ` : '';
      page.on('request', (r) => requested.push(r.url()));
      if (o.failedResponses)
        page.on('response', (r) => {
          if (r.status() >= 400) problems.push(`${tag}${r.status()} ${r.url()}`);
        });
      page.on('pageerror', (e) => problems.push(`${tag}pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${tag}console: ${m.text()}`);
      });
      return page;
    },
    close: () => browser.close(),
  };
}

/** A full-page screenshot into test-results/. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SHOTS, name), fullPage: true });
}
