/**
 * `npm run test:browser`: the web dashboard in a real browser, the way a new user walks it.
 *
 * Headless Chromium (Debian's, driven by playwright-core) against a gateway and the WhatsApp
 * simulator, both in this process, on a fresh MariaDB database:
 * sign in → create a session → see its QR → link it (the simulated phone scans the QR through the
 * simulator's control API) → see "Connected" → a simulated contact writes, the message shows in the
 * chat view → a reply typed in the send box arrives in the contact's inbox. Then the same pages on a
 * phone-sized screen, where a second session links by the pairing code it shows and is disconnected,
 * connected, logged out and deleted; the CSP (no inline script runs, no violation by the dashboard itself), labels
 * and keyboard use, and a refused token leading back to the sign-in form.
 *
 * Screenshots go to test/browser/screenshots/ (BROWSER_SCREENSHOTS overrides). Needs the dashboard
 * built (the npm script builds it) and /usr/bin/chromium (CHROMIUM_PATH overrides).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { builtDashboardDir } from '../../server/src/dashboard/dashboard-routes';
import { startGateway, TEST_ADMIN, type TestGateway } from '../helpers/gateway';
import { gatewayEnvFor, phoneJid, sessionWhere } from '../helpers/whatsapp';
import { startSimulator, trustSimulator, type Simulator } from '../wa-sim';
import { quietLibsignal } from '../wa-sim/fixtures';
import { adminPageSteps } from './admin-pages';
import {
  CHROMIUM_PATH,
  cspDirectives,
  cspViolations,
  imageLoaded,
  inlineScriptRuns,
  launchChromium,
  pageWidth,
  SCREENSHOT_DIR,
  screenshot,
  unlabelledControls,
  watchPage,
} from './chromium';

const ME = '15550939001';
const ALICE = '15550939002';
const BOB = '15550939003';
const SESSION = 'browser-demo';
const CODE_SESSION = 'browser-code';
const DEADLINE_MS = 4 * 60_000;
const UI_TIMEOUT_MS = 20_000;

const started = Date.now();
const log = (line: string) => process.stdout.write(`[test:browser ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

interface World {
  sim: Simulator;
  gateway: TestGateway;
  page: Page;
  pageErrors: string[];
}

/** The simulator's control API over HTTP, as a person testing by hand would use it. */
async function control(sim: Simulator, route: string, body: unknown): Promise<any> {
  const response = await fetch(`${sim.httpUrl}/control${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  check(response.ok, `POST /control${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Nothing on the page is wider than the screen (no sideways scrolling). */
async function expectNoHorizontalScroll(page: Page, where: string) {
  const { scrollWidth, clientWidth } = await pageWidth(page);
  check(scrollWidth <= clientWidth, `${where}: the page is ${scrollWidth}px wide on a ${clientWidth}px screen`);
}

async function expectLabelledControls(page: Page, where: string) {
  const unlabelled = await unlabelledControls(page);
  check(unlabelled.length === 0, `${where}: controls without a label: ${unlabelled.join(', ')}`);
}

const steps: [string, (world: World) => Promise<void>][] = [
  [
    'the dashboard is served under a CSP without inline scripts',
    async ({ gateway, page }) => {
      const response = await page.goto(gateway.api.baseUrl + '/');
      check(response?.status() === 200, `GET / answered ${response?.status()}`);
      const header = response.headers()['content-security-policy'];
      const policy = cspDirectives(header);
      check(policy.get('script-src')?.join(' ') === "'self'", `script-src should be 'self' only: ${header}`);
      check(!/unsafe-inline|unsafe-eval/.test(header ?? ''), `the CSP allows unsafe code: ${header}`);
      check(response.headers()['x-content-type-options'] === 'nosniff', 'no X-Content-Type-Options: nosniff');
      // The browser enforces it: a script injected inline does not run, and is reported.
      check(!(await inlineScriptRuns(page)), 'an inline script ran despite the CSP');
      const reported = await cspViolations(page);
      check(
        reported.some((violation) => violation.startsWith('script-src')),
        `the blocked inline script was not reported: ${JSON.stringify(reported)}`,
      );
    },
  ],
  [
    'sign in with email and password, by keyboard; a wrong password is refused with a message',
    async ({ page }) => {
      await page.getByRole('heading', { name: 'Sign in to the WhatsApp gateway' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await expectLabelledControls(page, 'sign-in form');
      await screenshot(page, 'sign-in');
      await page.getByLabel('Email').focus();
      await page.keyboard.type(TEST_ADMIN.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('not-the-password');
      await page.keyboard.press('Enter');
      await page
        .getByRole('alert')
        .filter({ hasText: /invalid|wrong|password/i })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByLabel('Password').fill(TEST_ADMIN.password);
      await page.keyboard.press('Tab');
      check((await page.locator(':focus').textContent()) === 'Sign in', 'Tab after the password should reach Sign in');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'WhatsApp sessions' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await expectLabelledControls(page, 'sessions page');
    },
  ],
  [
    'create a session and see its QR code',
    async ({ page }) => {
      await page.getByLabel('Session id').fill(SESSION);
      await page.getByLabel('Name (optional)').fill('Browser test');
      await page.getByRole('button', { name: 'Create session' }).click();
      await page.getByRole('heading', { name: `Session ${SESSION}` }).waitFor({ timeout: UI_TIMEOUT_MS });
      const qr = page.getByRole('img', { name: /QR code/ });
      await qr.waitFor({ timeout: UI_TIMEOUT_MS });
      await imageLoaded(page, 'img.qr', 100, UI_TIMEOUT_MS);
      await screenshot(page, 'qr-code');
    },
  ],
  [
    'the simulated phone scans the QR; the page shows "Connected"',
    async ({ sim, gateway, page }) => {
      const waiting = await sessionWhere(gateway, gateway.adminKey, SESSION, (s) => s.status === 'QR_REQUIRED' && s.qrCode);
      await control(sim, `/accounts/${ME}/scan`, { qr: waiting.qrCode });
      await page.locator('.status-connected', { hasText: 'Connected' }).first().waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByText(`as +${ME}`).waitFor({ timeout: UI_TIMEOUT_MS });
      check((await page.locator('img.qr').count()) === 0, 'the QR code is still shown once connected');
      await screenshot(page, 'connected');
    },
  ],
  [
    "a contact's message shows in the chat view",
    async ({ sim, page }) => {
      await control(sim, `/accounts/${ALICE}/send`, { to: ME, text: 'Hello from Alice 👋' });
      const chat = page.locator('a.chat', { hasText: 'Hello from Alice' });
      await chat.waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshot(page, 'recent-chats');
      await chat.click();
      // One-to-one chats have no name of their own: the page names them after the contact.
      await page.getByRole('heading', { name: `Chat with Alice (+${ALICE})` }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator('.message.theirs', { hasText: 'Hello from Alice 👋' }).waitFor({ timeout: UI_TIMEOUT_MS });
    },
  ],
  [
    "a reply from the send box arrives in the contact's inbox",
    async ({ sim, page }) => {
      const reply = 'Hi Alice, answered from the dashboard';
      await page.getByLabel('Your message').fill(reply);
      await page.getByRole('button', { name: 'Send' }).click();
      const received = await sim.waitForInbox(ALICE, (entry) => !entry.fromMe && entry.text === reply, UI_TIMEOUT_MS);
      check(received.from === phoneJid(ME), `the reply came from ${received.from}, not ${phoneJid(ME)}`);
      await page.locator('.message.mine', { hasText: reply }).waitFor({ timeout: UI_TIMEOUT_MS });
      check((await page.getByLabel('Your message').inputValue()) === '', 'the send box was not emptied after sending');
      await screenshot(page, 'chat');
    },
  ],
  [
    'on a phone-sized screen every page fits the width and stays usable',
    async ({ page }) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await expectNoHorizontalScroll(page, 'chat page');
      await page.getByRole('button', { name: 'Send' }).scrollIntoViewIfNeeded();
      check(await page.getByRole('button', { name: 'Send' }).isVisible(), 'the Send button is not visible on a phone');
      await screenshot(page, 'phone-chat');
      await page.getByRole('link', { name: SESSION }).click();
      await page.getByRole('heading', { name: `Session ${SESSION}` }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator('.status-connected').first().waitFor({ timeout: UI_TIMEOUT_MS });
      await expectNoHorizontalScroll(page, 'session page');
      await screenshot(page, 'phone-session');
      await page.getByRole('link', { name: 'Sessions' }).first().click();
      await page.getByRole('heading', { name: 'WhatsApp sessions' }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator('.cards .status-connected').first().waitFor({ timeout: UI_TIMEOUT_MS });
      await expectNoHorizontalScroll(page, 'sessions page');
      await screenshot(page, 'phone-sessions');
    },
  ],
  [
    'a session created with a phone number shows a pairing code, which links it',
    async ({ sim, page }) => {
      await page.getByLabel('Session id').fill(CODE_SESSION);
      await page.getByLabel('Phone number (optional)').fill(`+${BOB}`);
      await page.getByRole('button', { name: 'Create session' }).click();
      await page.getByRole('heading', { name: `Session ${CODE_SESSION}` }).waitFor({ timeout: UI_TIMEOUT_MS });
      const shown = page.locator('.pairing-code');
      await shown.waitFor({ timeout: UI_TIMEOUT_MS });
      const text = (await shown.textContent()) ?? '';
      const code = /^Pairing code:\s*([A-Z0-9]{4}-?[A-Z0-9]{4})$/.exec(text.trim())?.[1];
      check(code, `no pairing code shown: ${text}`);
      await screenshot(page, 'pairing-code');
      // What a person does with the code the page shows: type it on the phone.
      await control(sim, `/accounts/${BOB}/pairing-code`, { code });
      await page.getByText(`as +${BOB}`).waitFor({ timeout: UI_TIMEOUT_MS });
    },
  ],
  [
    'disconnect, connect again, log out and delete a session from its page',
    async ({ sim, gateway, page }) => {
      await page.getByRole('button', { name: 'Disconnect' }).click();
      await page.locator('.status-disconnected').first().waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.getByText(`as +${BOB}`).waitFor({ timeout: UI_TIMEOUT_MS });
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await page.locator('.status-disconnected').first().waitFor({ timeout: UI_TIMEOUT_MS });
      await sessionWhere(
        gateway,
        gateway.adminKey,
        CODE_SESSION,
        (s) => s.status === 'DISCONNECTED' && s.metadata?.lastDisconnect?.reason === 'logged out',
      );
      const linked = sim.account(BOB).devices.filter((device) => !device.hosted);
      check(linked.length === 0, `the phone still lists the logged-out device: ${JSON.stringify(linked)}`);
      check((await page.getByRole('alert').count()) === 0, `an action failed: ${await page.getByRole('alert').allTextContents()}`);
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('heading', { name: 'WhatsApp sessions' }).waitFor({ timeout: UI_TIMEOUT_MS });
      const gone = await gateway.api.get(`/api/v1/sessions/${CODE_SESSION}`, { key: gateway.adminKey });
      check(gone.status === 404, `the deleted session still answers ${gone.status}`);
      await page.getByRole('link', { name: CODE_SESSION }).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    },
  ],
  ...adminPageSteps,
  [
    'a token the gateway refuses leads back to the sign-in form',
    async ({ page }) => {
      await page.evaluate("sessionStorage.setItem('baileys-token', 'expired-or-forged')");
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to the WhatsApp gateway' }).waitFor({ timeout: UI_TIMEOUT_MS });
    },
  ],
  [
    'the dashboard itself caused no CSP violation and no script error',
    async ({ page, pageErrors }) => {
      const violations = await cspViolations(page);
      check(violations.length === 0, `CSP violations: ${violations.join('; ')}`);
      check(pageErrors.length === 0, `script errors: ${pageErrors.join('; ')}`);
    },
  ],
];

async function main() {
  check(existsSync(path.join(builtDashboardDir(), 'index.html')), 'the dashboard is not built: run npm run build:dashboard');
  check(existsSync(CHROMIUM_PATH), `no browser at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const cleanups: (() => Promise<unknown>)[] = [];
  let passed = 0;
  let failed = 0;
  const timer = setTimeout(() => {
    process.stderr.write(`[test:browser] FAIL: did not finish within ${DEADLINE_MS / 1000} s\n`);
    process.exit(1);
  }, DEADLINE_MS);
  try {
    cleanups.push(async () => quietLibsignal());
    const sim = await startSimulator();
    cleanups.push(() => sim.stop());
    trustSimulator(sim);
    await sim.createAccount(ME, 'Me');
    await sim.createAccount(ALICE, 'Alice');
    await sim.createAccount(BOB, 'Bob');
    const gateway = await startGateway('browser', { ...gatewayEnvFor(sim), WEBHOOK_ALLOW_PRIVATE: 'true' });
    cleanups.push(() => gateway.close());
    log(`gateway at ${gateway.api.baseUrl}, simulator at ${sim.httpUrl}`);
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { pageErrors } = await watchPage(page);
    const world: World = { sim, gateway, page, pageErrors };

    for (const [name, run] of steps) {
      try {
        await run(world);
        passed++;
        log(`ok   ${name}`);
      } catch (error) {
        failed++;
        log(`FAIL ${name}\n${(error as Error).stack ?? error}`);
        await screenshot(page, 'failure').then(
          (file) => log(`screenshot of the failure: ${file}`),
          () => undefined,
        );
        break; // each step starts where the one before ended
      }
    }
  } catch (error) {
    failed++;
    process.stderr.write(`[test:browser] FAIL: could not start: ${(error as Error).stack ?? error}\n`);
  } finally {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop())
      await cleanup().catch((error) => process.stderr.write(`[test:browser] cleanup failed: ${(error as Error).message}\n`));
    clearTimeout(timer);
  }
  log(`screenshots in ${SCREENSHOT_DIR}`);
  process.stdout.write(`browser: ${passed} passed, ${failed + (steps.length - passed - failed)} failed\n`);
  // Baileys and the simulator may keep sockets or timers around; the verdict is in.
  process.exit(failed || passed < steps.length ? 1 : 0);
}

void main();
