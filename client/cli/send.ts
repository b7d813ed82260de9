/**
 * `sharethings send FILE… | - [--text …]`: creates a session (or joins
 * --session), prints how to join, optionally waits for someone, shares every
 * input, and exits once the server holds all of it: the others can fetch it
 * from the session's history whenever they join, this process need not stay.
 */
import type { ShareClient } from '../sdk/index.ts';
import { formatBytes } from '../state/format.ts';
import { generatePassphrase, generateSessionId } from '../state/passphrase.ts';
import { createClient, deviceName, joinSession, serverUrl } from './connect.ts';
import { interrupted, untilInterrupted, type CommandContext } from './context.ts';
import { CliError, EXIT, toCliError } from './exit-codes.ts';
import { openInputs, type Input } from './inputs.ts';
import { givenPassphrase, requirePassphrase } from './passphrase.ts';
import { Progress } from './progress.ts';
import { printSession } from './session-info.ts';

export interface SendOptions {
  session?: string | undefined;
  passphraseFile?: string | undefined;
  text: string[];
  name: string;
  wait: boolean;
  linkWithPassphrase: boolean;
  qr?: boolean | undefined;
  server?: string | undefined;
  accessToken?: string | undefined;
  as?: string | undefined;
}

export async function send(paths: string[], options: SendOptions, ctx: CommandContext): Promise<void> {
  const { output, interrupt } = ctx;
  if (paths.length === 0 && options.text.length === 0) throw new CliError(EXIT.USAGE, 'Nothing to send: give files, - for standard input, or --text');
  const server = serverUrl(options.server, ctx.env);
  const sessionId = options.session ?? generateSessionId();
  const given = options.session ? await requirePassphrase({ passphraseFile: options.passphraseFile, env: ctx.env }, sessionId) : await givenPassphrase({ passphraseFile: options.passphraseFile, env: ctx.env });
  const passphrase = given ?? generatePassphrase();

  if (paths.includes('-')) output.say('Reading standard input (kept in a temporary file until it is sent)…');
  const opened = await openInputs(paths, options.name, ctx.stdin, interrupt).catch((error: unknown) => {
    throw interrupt.aborted ? interrupted() : error;
  });
  const client = createClient({ server, name: deviceName(options.as), accessToken: options.accessToken ?? ctx.env['SHARETHINGS_ACCESS_TOKEN'] });
  const progress = new Progress(output, 'upload', ctx.terminal && !output.json && !output.quiet);
  try {
    const join = await Promise.race([joinSession(client, server, sessionId, passphrase, true), untilInterrupted(interrupt)]);
    await printSession(output, {
      server,
      sessionId,
      newPassphrase: given === undefined ? passphrase : undefined,
      linkPassphrase: options.linkWithPassphrase ? passphrase : undefined,
      join,
      qr: options.qr ?? ctx.terminal,
    });
    if (options.wait && join.clients.length < 2) await waitForMember(client, ctx);
    const stopOnInterrupt = () => client.close(); // pending shares reject (CANCELLED) and the server cancels them
    interrupt.addEventListener('abort', stopOnInterrupt, { once: true });
    const results = await shareAll(client, opened.inputs, options.text, progress, ctx);
    interrupt.removeEventListener('abort', stopOnInterrupt);
    if (interrupt.aborted) throw interrupted();
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) {
      const first = toCliError(failed[0]!.reason);
      throw new CliError(first.exitCode, `${failed.length} of ${results.length} item(s) were not shared`, first.code);
    }
    output.event('done', { items: results.length });
  } finally {
    progress.close();
    client.close();
    await opened.release();
  }
}

async function waitForMember(client: ShareClient, ctx: CommandContext): Promise<void> {
  ctx.output.say('Waiting for another device to join (Ctrl-C to stop)…');
  ctx.output.event('waiting', {});
  const joined = new Promise<{ name: string }>((resolve) => client.once('client-joined', resolve));
  const member = await Promise.race([joined, untilInterrupted(ctx.interrupt)]);
  ctx.output.say(`${member.name} joined.`);
  ctx.output.event('member-joined', { name: member.name });
}

function shareAll(client: ShareClient, inputs: Input[], texts: string[], progress: Progress, ctx: CommandContext) {
  const { output } = ctx;
  client.on('progress', (p) => {
    if (p.direction === 'upload') progress.update(p.contentId, p.bytes);
  });
  const shares: Array<Promise<void>> = [];
  for (const text of texts) {
    const share = client.shareText(text);
    shares.push(share.then(() => {
      output.say(`Shared a text (${formatBytes(new TextEncoder().encode(text).length)}).`);
      output.event('shared', { contentId: share.contentId, kind: 'text', size: new TextEncoder().encode(text).length });
    }));
  }
  for (const input of inputs) {
    const share = client.shareFile(input.blob, { name: input.name, type: input.type, size: input.size });
    progress.start(share.contentId, input.name, input.size);
    shares.push(share.then(
      () => {
        progress.finish(share.contentId);
        output.say(`Shared ${input.name} (${formatBytes(input.size)}).`);
        output.event('shared', { contentId: share.contentId, kind: input.type.startsWith('image/') ? 'image' : 'file', name: input.name, size: input.size });
      },
      (error: unknown) => {
        progress.finish(share.contentId);
        const failure = toCliError(error);
        if (!ctx.interrupt.aborted) output.warn(`${input.name} was not shared: ${failure.message}`);
        throw error;
      },
    ));
  }
  return Promise.allSettled(shares);
}
