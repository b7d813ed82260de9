/**
 * Helpers for the browser tests: Debian's Chromium driven by playwright-core,
 * the built client served by a real server, and "devices" (one browser
 * context each) that create and join sessions the way a person does.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { requireDebianTool } from '../../server/ops/debian-tool.ts';
import { buildClient, CLIENT_OUT_DIR } from '../build.ts';
import { CHROMIUM_FLAGS } from './chromium-flags.ts';

export const SCREENSHOT_DIR = path.resolve(CLIENT_OUT_DIR, '..', '..', 'test-artifacts', 'screenshots');

const ARGS = CHROMIUM_FLAGS;

/** `make test` builds first; a lone run of this file builds if nothing is there. */
/** Builds the client and launches Chromium once for a test file; `skip` says why when it cannot. */
export function useChromium(): { browser: Browser | undefined; skip: string | undefined } {
  const state: { browser: Browser | undefined; skip: string | undefined } = { browser: undefined, skip: undefined };
  before(async () => {
    await ensureBuilt();
    const launched = await launchChromium();
    if (typeof launched === 'string') state.skip = launched;
    else state.browser = launched;
  });
  after(() => state.browser?.close());
  return state;
}

export async function ensureBuilt(): Promise<void> {
  const built = ['share-elements.js', 'sdk.js'].every((name) => existsSync(path.join(CLIENT_OUT_DIR, name)));
  if (!built) await buildClient();
}

/** Chromium, or a reason to skip (outside CI, when it cannot be installed). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser | string> {
  const tool = requireDebianTool('chromium', 'chromium', '/usr/bin/chromium');
  if ('skip' in tool) return tool.skip;
  return chromium.launch({ executablePath: tool.path, headless: true, args: [...ARGS, ...extraArgs] });
}

/**
 * A browser context with a profile on disk, for what Chromium refuses in the
 * incognito-like contexts of launchChromium() (installing the app); or a
 * reason to skip.
 */
export async function launchPersistentChromium(userDataDir: string): Promise<BrowserContext | string> {
  const tool = requireDebianTool('chromium', 'chromium', '/usr/bin/chromium');
  if ('skip' in tool) return tool.skip;
  return chromium.launchPersistentContext(userDataDir, { executablePath: tool.path, headless: true, args: ARGS, viewport: { width: 1280, height: 800 } });
}

/** Messages that say the network failed, expected while a server is down. */
const NETWORK_NOISE = /WebSocket connection to|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|Failed to load resource/;

export interface Device {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  /** The errors, less network failures. */
  realErrors(): string[];
}

export async function openDevice(
  t: TestContext,
  browser: Browser,
  url: string,
  options: BrowserContextOptions & { init?: (() => void) | string | undefined } = {},
): Promise<Device> {
  const { init, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  t.after(() => context.close());
  if (typeof init === 'string') await context.addInitScript({ content: init });
  else if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return { context, page, errors, realErrors: () => errors.filter((error) => !NETWORK_NOISE.test(error)) };
}

export interface Credentials {
  sessionId: string;
  passphrase: string;
}

/** Starts a new session from the start screen; returns what another device needs to join. */
export async function createSession(page: Page, name: string): Promise<Credentials> {
  const form = page.locator('share-join-form[mode=create]');
  const sessionId = (await form.locator('code').nth(0).textContent())!.trim();
  const passphrase = (await form.locator('code').nth(1).textContent())!.trim();
  await form.getByLabel('Your name').fill(name);
  await form.getByRole('button', { name: 'Start session' }).click();
  await page.locator('share-connection-status').getByText('Connected').waitFor();
  return { sessionId, passphrase };
}

/** Fills the Join tab and submits; does not wait for the outcome. */
export async function submitJoin(page: Page, credentials: Credentials, name: string): Promise<void> {
  await page.getByRole('tab', { name: 'Join' }).click();
  const form = page.locator('share-join-form[mode=join]');
  await form.getByLabel('Session').fill(credentials.sessionId);
  await form.getByLabel('Passphrase', { exact: true }).fill(credentials.passphrase);
  await form.getByLabel('Your name').fill(name);
  await form.getByRole('button', { name: 'Join session' }).click();
}

export async function joinSession(page: Page, credentials: Credentials, name: string): Promise<void> {
  await submitJoin(page, credentials, name);
  await page.locator('share-connection-status').getByText('Connected').waitFor();
}

/**
 * An init script that records every Worker the page starts (window.workers:
 * its URL and whether it answered with key bits), to check that key
 * derivation ran off the main thread.
 */
export const WORKER_PROBE = `
  window.workers = [];
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      const record = { url: String(url), ok: false };
      window.workers.push(record);
      this.addEventListener('message', (event) => { record.ok = event.data?.ok === true && event.data.bits?.length === 32; });
    }
  };
`;

/** The workers the page started, from WORKER_PROBE. */
export function workersOf(page: Page): Promise<Array<{ url: string; ok: boolean }>> {
  return page.evaluate(() => (window as unknown as { workers: Array<{ url: string; ok: boolean }> }).workers);
}

/** Types a text into the composer and presses Enter. */
export async function shareText(page: Page, text: string): Promise<void> {
  await page.getByLabel('Text to share').fill(text);
  await page.getByLabel('Text to share').press('Enter');
}

/** The timeline's text items, newest first. */
export function textItems(page: Page) {
  return page.locator('share-content-item [part=text]');
}

/** A plain static server for the demo page: another origin than the ShareThings server. */
export async function serveDemo(t: TestContext): Promise<number> {
  const dir = path.join(CLIENT_OUT_DIR, 'embed-demo');
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = createServer(async (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html').slice(1);
    if (!/^[a-z-]+\.(html|js)$/.test(name)) return void res.writeHead(404).end();
    const body = await readFile(path.join(dir, name)).catch(() => undefined);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[path.extname(name)]! }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

