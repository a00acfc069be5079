import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/processes';

/** Debian's Chromium (`apt-get install chromium`); playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SCREENSHOT_DIR = path.resolve(process.env.BROWSER_SCREENSHOTS ?? path.join(REPO_ROOT, 'test/browser/screenshots'));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A full-page screenshot `NN-name.png` in SCREENSHOT_DIR (numbered in the order taken). */
let taken = 0;
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${String(++taken).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/*
 * Code that runs in the page is written as source text: this project's type check knows Node's
 * globals, not the DOM's (adding the DOM library breaks the Node code's fetch types).
 */

/**
 * Records every Content-Security-Policy violation of the page's documents (read with cspViolations),
 * and every uncaught script error in the returned list. (Init scripts run outside the page's CSP.)
 */
export async function watchPage(page: Page): Promise<{ pageErrors: string[] }> {
  await page.addInitScript(`
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      window.cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline')));
  `);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { pageErrors };
}

export const cspViolations = (page: Page) => page.evaluate('window.cspViolations.splice(0)') as Promise<string[]>;

/** Adds an inline <script> to the page; true when it ran (a CSP without unsafe-inline stops it). */
export const inlineScriptRuns = (page: Page) =>
  page.evaluate(`(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineScriptRan = true';
    document.body.append(script);
    return window.inlineScriptRan === true;
  })()`) as Promise<boolean>;

export const pageWidth = (page: Page) =>
  page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })') as Promise<{
    scrollWidth: number;
    clientWidth: number;
  }>;

/** Form controls without a label a screen reader reads, and buttons without a name. */
export const unlabelledControls = (page: Page) =>
  page.evaluate(`[
    ...[...document.querySelectorAll('input, textarea, select')]
      .filter((control) => control.type !== 'hidden' && !control.labels.length && !control.getAttribute('aria-label')),
    ...[...document.querySelectorAll('button')].filter((button) => !button.textContent.trim() && !button.getAttribute('aria-label')),
  ].map((element) => element.outerHTML)`) as Promise<string[]>;

/** Waits until the image matching `selector` has loaded and is at least `minWidth` pixels wide. */
export const imageLoaded = (page: Page, selector: string, minWidth: number, timeout: number) =>
  page.waitForFunction(
    `(() => { const img = document.querySelector(${JSON.stringify(selector)}); return !!img && img.complete && img.naturalWidth >= ${minWidth}; })()`,
    undefined,
    { timeout },
  );

/** Content-Security-Policy directives by name. */
export function cspDirectives(header: string | undefined): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );
}
