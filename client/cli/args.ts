/**
 * The command line: commands, options and their help (commander). Parsing
 * only: each command's work is in its own file (send.ts, receive.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { ACCESS_TOKEN_ENV, DEFAULT_SERVER, SERVER_ENV } from './connect.ts';
import type { CommandContext } from './context.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { Output } from './output.ts';
import { PASSPHRASE_ENV } from './passphrase.ts';
import { receive } from './receive.ts';
import { send } from './send.ts';
import { packageVersion } from './version.ts';

interface CommonOptions {
  server?: string;
  json?: boolean;
  quiet?: boolean;
  as?: string;
  accessToken?: string;
  passphraseFile?: string;
}

const EXIT_HELP = `
Exit codes: 0 done, 1 failed, 2 usage, 3 wrong passphrase, 4 no such session (or item),
5 server unreachable, 130 interrupted. See client/cli/README.md.`;

function withCommonOptions(command: Command): Command {
  return command
    .option('--server <url>', `the ShareThings server (env ${SERVER_ENV}, default ${DEFAULT_SERVER})`)
    .option('--passphrase-file <file>', `read the passphrase from the first line of a file (else env ${PASSPHRASE_ENV}, else asked without echo)`)
    .option('--json', 'one JSON object per line on stdout for every event, for scripts')
    .option('-q, --quiet', 'no messages, only errors')
    .option('--as <name>', 'the name the other members see (default "CLI on <host>")')
    .option('--access-token <token>', `for a private server (env ${ACCESS_TOKEN_ENV})`);
}

/** Runs one command's work with a context (signals, streams) and turns its failure into an exit code: main.ts. */
export type Runner = (work: (ctx: CommandContext) => Promise<void>, output: Output) => Promise<void>;

/** The program, kept apart from the process wiring (main.ts). */
export function buildProgram(run: Runner): Command {
  const program = new Command('sharethings')
    .description('End-to-end encrypted sharing of files and text with a ShareThings server, from the command line.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .exitOverride();

  withCommonOptions(program.command('send'))
    .description('Share files, standard input (-) or texts into a new session (or --session), and exit once the server holds them.')
    .argument('[files...]', 'files to send; - reads standard input (copied to a temporary file first: the size must be known before sending)')
    .option('--session <id>', 'join this session (created if it does not exist) instead of a new one')
    .option('--text <text>', 'share a text (repeatable)', (value: string, all: string[] | undefined) => [...(all ?? []), value])
    .option('--name <name>', 'the name for standard input', 'stdin')
    .option('--wait', 'wait until another device joins before sending')
    .option('--link-with-passphrase', 'put the passphrase in the join link (anyone with the link can join)')
    .addOption(new Option('--qr', 'print the join link as a QR code (default: when stderr is a terminal)'))
    .addOption(new Option('--no-qr', 'never print the QR code'))
    .addHelpText('after', `\nExamples:\n  sharethings send report.pdf photo.jpg\n  tar c project | sharethings send - --name project.tar\n  sharethings send --session team-room --text "the build is green"\n${EXIT_HELP}`)
    .action(async (files: string[], options: CommonOptions & { session?: string; text?: string[]; name: string; wait?: boolean; linkWithPassphrase?: boolean; qr?: boolean }) => {
      const output = new Output(options.json === true, options.quiet === true);
      await run(
        (ctx) =>
          send(files, {
            session: options.session,
            passphraseFile: options.passphraseFile,
            text: options.text ?? [],
            name: options.name,
            wait: options.wait === true,
            linkWithPassphrase: options.linkWithPassphrase === true,
            qr: options.qr,
            server: options.server,
            accessToken: options.accessToken,
            as: options.as,
          }, ctx),
        output,
      );
    });

  withCommonOptions(program.command('receive'))
    .description('Join a session and save what it holds into --out (texts to stdout); waits for the first item if there is none.')
    .argument('[session]', 'the session id or a join link (asked for when missing)')
    .option('-o, --out <dir>', 'where to save files (created if missing); never overwrites: "name (1).ext"', '.')
    .option('--item <id...>', 'only these items (ids as listed)')
    .option('--latest', 'only the newest item')
    .option('--list', 'list the items and exit, saving nothing')
    .option('--watch', 'keep receiving new items until Ctrl-C')
    .option('--save-text', 'save texts as .txt files in --out instead of printing them')
    .addHelpText('after', `\nExamples:\n  sharethings receive k7wm-q3xa-9fhp --out ~/Downloads\n  sharethings receive 'https://share.example.org/#session=k7wm-q3xa-9fhp' --latest\n  SHARETHINGS_PASSPHRASE=... sharethings receive k7wm-q3xa-9fhp --watch --json\n${EXIT_HELP}`)
    .action(async (session: string | undefined, options: CommonOptions & { out: string; item?: string[]; latest?: boolean; list?: boolean; watch?: boolean; saveText?: boolean }) => {
      const output = new Output(options.json === true, options.quiet === true);
      await run(async (ctx) => {
        if (options.item && options.latest) throw new CliError(EXIT.USAGE, '--item and --latest cannot be used together');
        await receive(session, {
            out: options.out,
            item: options.item ?? [],
            latest: options.latest === true,
            list: options.list === true,
            watch: options.watch === true,
            saveText: options.saveText === true,
            passphraseFile: options.passphraseFile,
            server: options.server,
            accessToken: options.accessToken,
            as: options.as,
          }, ctx);
      }, output);
    });
  return program;
}

/** commander's own exits (help, version, usage errors) as exit codes. */
export function commanderExit(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.OK;
  return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
}
