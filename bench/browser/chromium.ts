/**
 * Debian's Chromium for bench/browser.ts, launched by hand and driven over
 * raw CDP (--remote-debugging-pipe), with only the Target, Runtime and
 * Browser domains: never Network. Playwright enables the Network domain on
 * every page, and Chromium then base64-encodes every WebSocket frame into an
 * event, which cut a page-to-page relay from ~270 to ~50 MB/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { requireDebianTool } from '../../server/ops/debian-tool.ts';
import { CHROMIUM_FLAGS } from '../../client/e2e/chromium-flags.ts';
import { cpuSeconds, peakRssBytes } from '../lib/sysinfo.ts';

/** As the browser tests run it, headless, driven over a DevTools pipe. */
const ARGS = ['--headless', ...CHROMIUM_FLAGS, '--remote-debugging-pipe'];

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

export interface Page {
  /** Evaluates `expression` in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T>(expression: string, timeoutMs?: number): Promise<T>;
  /** A CDP command to this page (only Runtime and Profiler are used: never Network). */
  send<T = Record<string, unknown>>(method: string, params?: object): Promise<T>;
}

/** The processes of one Chromium, by role. */
export interface ProcessSample {
  pid: number;
  type: string;
  cpuSeconds: number;
  peakRssBytes: number;
}

export class Chromium {
  #nextId = 0;
  readonly #calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #listeners = new Map<string, Set<Listener>>();
  #buffer = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profileDir: string,
  ) {
    // A Chromium that exits (crashed, or killed) fails every call still waiting for it.
    child.once('exit', (code, signal) => {
      for (const call of this.#calls.values()) call.reject(new Error(`Chromium exited (${signal ?? code}) during a CDP call`));
      this.#calls.clear();
    });
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (text: string) => {
      this.#buffer += text;
      let end;
      while ((end = this.#buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(this.#buffer.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
        this.#buffer = this.#buffer.slice(end + 1);
        if (message.id !== undefined) {
          const call = this.#calls.get(message.id);
          this.#calls.delete(message.id);
          if (message.error) call?.reject(new Error(message.error.message));
          else call?.resolve(message.result);
        } else if (message.method) {
          for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
        }
      }
    });
  }

  static async launch(): Promise<Chromium | string> {
    const tool = requireDebianTool('chromium', 'chromium', '/usr/bin/chromium');
    if ('skip' in tool) return tool.skip;
    const profileDir = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-chromium-'));
    const child = spawn(tool.path, [...ARGS, `--user-data-dir=${profileDir}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const browser = new Chromium(child, profileDir);
    await browser.send('Browser.getVersion');
    return browser;
  }

  get pid(): number {
    return this.child.pid!;
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.reject(new Error('Chromium has exited'));
    const id = ++this.#nextId;
    (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise((resolve, reject) => this.#calls.set(id, { resolve: resolve as (value: unknown) => void, reject }));
  }

  on(method: string, listener: Listener): () => void {
    let set = this.#listeners.get(method);
    if (!set) this.#listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** A new tab at `url`, attached for Runtime.evaluate. */
  async open(url: string): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return {
      send: (method, params) => this.send(method, params, sessionId),
      evaluate: async <T>(expression: string, timeoutMs = 120_000) => {
        const call = this.send<{ result: { value?: unknown }; exceptionDetails?: { exception?: { description?: string }; text: string } }>(
          'Runtime.evaluate',
          { expression, awaitPromise: true, returnByValue: true, userGesture: true },
          sessionId,
        );
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`page script did not finish within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          const reply = await Promise.race([call, timeout]);
          if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
          return reply.result.value as T;
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }

  /** Every process of this Chromium (the browser, renderers, utilities), with CPU time and peak RSS so far. */
  processes(): ProcessSample[] {
    const parents = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        parents.set(ppid, [...(parents.get(ppid) ?? []), pid]);
      } catch {
        // Gone meanwhile.
      }
    }
    const samples: ProcessSample[] = [];
    const visit = (pid: number) => {
      let type = 'browser';
      try {
        const match = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
        if (match) type = match[1]!;
      } catch {
        return;
      }
      samples.push({ pid, type, cpuSeconds: cpuSeconds(pid) ?? 0, peakRssBytes: peakRssBytes(pid) ?? 0 });
      for (const child of parents.get(pid) ?? []) visit(child);
    };
    visit(this.pid);
    return samples;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      await this.send('Browser.close').catch(() => {});
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.profileDir, { recursive: true, force: true });
  }
}
