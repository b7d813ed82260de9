/**
 * `sharethings receive [SESSION]`: joins an existing session, lists what it
 * holds, and saves all of it (or --item …, or --latest) into --out; texts
 * go to stdout (or files with --save-text). A session with nothing in it is
 * waited on until something is shared; --watch keeps receiving until Ctrl-C.
 */
import { mkdir } from 'node:fs/promises';
import type { ReceivedItem, ShareClient } from '../sdk/index.ts';
import { formatBytes } from '../state/format.ts';
import { parseLink } from '../state/share-link.ts';
import { createClient, deviceName, joinSession, serverUrl } from './connect.ts';
import { interrupted, untilInterrupted, type CommandContext } from './context.ts';
import { saveItem } from './download.ts';
import { CliError, EXIT, toCliError } from './exit-codes.ts';
import { promptTerminal, requirePassphrase } from './passphrase.ts';
import { Progress } from './progress.ts';
import { safeFileName } from './safe-name.ts';
import { printSession } from './session-info.ts';

export interface ReceiveOptions {
  out: string;
  item: string[];
  latest: boolean;
  list: boolean;
  watch: boolean;
  saveText: boolean;
  passphraseFile?: string | undefined;
  server?: string | undefined;
  accessToken?: string | undefined;
  as?: string | undefined;
}

/** The session from its id or a join link (`https://host/#session=ID[&passphrase=…]`, whose origin is then the server). */
export function parseTarget(target: string, serverOption: string | undefined, env: NodeJS.ProcessEnv): { server: string; sessionId: string; passphrase?: string } {
  if (/^https?:\/\//iu.test(target)) {
    const url = new URL(target);
    const link = parseLink(url.hash);
    if (!link) throw new CliError(EXIT.USAGE, `${url.origin}/${url.hash ? url.hash : ''} is not a join link (it has no #session=…)`);
    return { server: serverUrl(serverOption ?? url.origin, env), ...link };
  }
  return { server: serverUrl(serverOption, env), sessionId: target };
}

export async function receive(target: string | undefined, options: ReceiveOptions, ctx: CommandContext): Promise<void> {
  const { output, interrupt } = ctx;
  const typed = target ?? (await promptTerminal('Session id or link: ', true)).trim();
  if (typed === '') throw new CliError(EXIT.USAGE, 'No session given');
  const { server, sessionId, passphrase: fromLink } = parseTarget(typed, options.server, ctx.env);
  const passphrase = fromLink ?? (await requirePassphrase({ passphraseFile: options.passphraseFile, env: ctx.env }, sessionId));
  if (!options.list) await mkdir(options.out, { recursive: true });

  const client = createClient({ server, name: deviceName(options.as), accessToken: options.accessToken ?? ctx.env['SHARETHINGS_ACCESS_TOKEN'] });
  const progress = new Progress(output, 'download', ctx.terminal && !output.json && !output.quiet);
  // Live items wait here from the start, so none slips between the join and the listing.
  const live = new Inbox();
  client.on('content', (item) => live.put(item));
  try {
    const join = await Promise.race([joinSession(client, server, sessionId, passphrase, false), untilInterrupted(interrupt)]);
    await printSession(output, { server, sessionId, newPassphrase: undefined, linkPassphrase: undefined, join, qr: false });
    const stored = await allHistory(client, join.history.items, join.history.hasMore);
    list(stored, ctx);
    if (options.list) return output.event('done', { items: stored.length });

    const chosen = choose(stored, options);
    const saver = new Saver(client, options, progress, ctx);
    for (const item of chosen) await saver.take(item);
    if (options.watch) output.say('Watching for new items (Ctrl-C to stop)…');
    else if (chosen.length === 0) output.say('Nothing to receive yet: waiting for something to be shared (Ctrl-C to stop)…');
    if (options.watch || chosen.length === 0) output.event('waiting', {});
    // Without --watch, when nothing was stored: the first live item, and (unless --latest) those that came meanwhile.
    const selective = options.item.length > 0 || options.latest;
    while (options.watch || saver.count === 0 || (!selective && live.size > 0)) {
      const item = await Promise.race([live.take(), untilInterrupted(interrupt)]);
      if (!saver.seen(item)) list([item], ctx);
      await saver.take(item);
    }
    if (saver.failures > 0) throw new CliError(saver.lastFailure!.exitCode, `${saver.failures} of ${saver.count} item(s) could not be received`, saver.lastFailure!.code);
    output.event('done', { items: saver.count });
  } finally {
    progress.close();
    client.close();
  }
}

async function allHistory(client: ShareClient, first: ReceivedItem[], hasMore: boolean): Promise<ReceivedItem[]> {
  const items = [...first];
  while (hasMore && items.length > 0) {
    const page = await client.history({ before: items.at(-1)!.contentId, limit: 200 });
    items.push(...page.items);
    hasMore = page.hasMore;
  }
  // Oldest first: saved in the order they were shared, so "name (1)" is the later of two. History
  // lists newest first; reversed, a stable sort keeps items of the same millisecond in order too.
  return items.reverse().sort((a, b) => a.timestamp - b.timestamp);
}

export function describe(item: ReceivedItem): Record<string, unknown> {
  const { contentId, kind, name, size, mimeType, senderName, timestamp, pinned, complete } = item;
  return { contentId, kind, name, size, mimeType, senderName, sharedAt: new Date(timestamp).toISOString(), pinned, complete };
}

function list(items: ReceivedItem[], ctx: CommandContext): void {
  for (const item of items) {
    ctx.output.event('item', describe(item));
    const state = item.complete ? '' : ' (still uploading)';
    const label = item.kind === 'text' && !item.name ? 'text' : JSON.stringify(item.name);
    ctx.output.say(`  ${item.contentId}  ${item.kind.padEnd(5)} ${formatBytes(item.size).padStart(9)}  ${label} from ${item.senderName}${state}`);
  }
}

function choose(stored: ReceivedItem[], options: ReceiveOptions): ReceivedItem[] {
  if (options.item.length > 0) {
    const missing = options.item.filter((id) => !stored.some((item) => item.contentId === id));
    if (missing.length > 0) throw new CliError(EXIT.NOT_FOUND, `The session holds no item ${missing.join(', ')}`, 'NOT_FOUND');
    return stored.filter((item) => options.item.includes(item.contentId));
  }
  if (options.latest) return stored.slice(-1);
  return stored;
}

/** Saves (or prints) items one at a time; a failed item is reported and the others go on. */
class Saver {
  count = 0;
  failures = 0;
  lastFailure: CliError | undefined;
  readonly #done = new Set<string>();

  constructor(
    private readonly client: ShareClient,
    private readonly options: ReceiveOptions,
    private readonly progress: Progress,
    private readonly ctx: CommandContext,
  ) {}

  seen(item: ReceivedItem): boolean {
    return this.#done.has(item.contentId);
  }

  async take(item: ReceivedItem): Promise<void> {
    if (this.#done.has(item.contentId)) return;
    this.#done.add(item.contentId);
    this.count++;
    const { output, interrupt } = this.ctx;
    try {
      if (item.kind === 'text' && !this.options.saveText) {
        const text = await Promise.race([item.text(), untilInterrupted(interrupt)]);
        output.event('text', { contentId: item.contentId, name: item.name, text });
        output.data(text);
        return;
      }
      // A text saved as a file: "name.txt", or "text.txt" for one without a name.
      const name = item.kind === 'text' && !/\.[^.]+$/u.test(item.name) ? `${safeFileName(item.name, 'text')}.txt` : item.name;
      const saved = await saveItem(item, name, this.options.out, this.progress, interrupt);
      output.event('saved', { contentId: item.contentId, path: saved.path, size: saved.size, resumedFrom: saved.resumedFrom });
      const resumed = saved.resumedFrom > 0 ? `, resumed at ${formatBytes(saved.resumedFrom)}` : '';
      output.say(`Saved ${saved.path} (${formatBytes(saved.size)}${resumed})`);
    } catch (error) {
      if (interrupt.aborted) throw interrupted();
      const failure = toCliError(error);
      this.failures++;
      this.lastFailure = failure;
      output.warn(`${JSON.stringify(item.name)} (${item.contentId}) could not be received: ${failure.message}`);
    }
  }
}

/** Live items in arrival order, taken one at a time. */
class Inbox {
  readonly #items: ReceivedItem[] = [];
  #wake: (() => void) | undefined;

  get size(): number {
    return this.#items.length;
  }

  put(item: ReceivedItem): void {
    this.#items.push(item);
    this.#wake?.();
  }

  async take(): Promise<ReceivedItem> {
    while (this.#items.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#items.shift()!;
  }
}
