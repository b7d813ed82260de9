/**
 * Where a passphrase comes from, in order: --passphrase-file, the
 * SHARETHINGS_PASSPHRASE variable, or a prompt on the terminal that does not
 * echo. The prompt reads the terminal itself (/dev/tty), so it works while
 * stdin is the data being sent (`tar c dir | sharethings send -`).
 */
import { openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ReadStream } from 'node:tty';
import { CliError, EXIT } from './exit-codes.ts';

export const PASSPHRASE_ENV = 'SHARETHINGS_PASSPHRASE';

export interface PassphraseSource {
  passphraseFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** The passphrase given by file or environment, or undefined when neither gives one. */
export async function givenPassphrase(source: PassphraseSource): Promise<string | undefined> {
  if (source.passphraseFile !== undefined) {
    let text: string;
    try {
      text = await readFile(source.passphraseFile, 'utf8');
    } catch (error) {
      throw new CliError(EXIT.USAGE, `Cannot read --passphrase-file ${source.passphraseFile}: ${(error as Error).message}`);
    }
    // The first line, as `echo words > file` writes it.
    const passphrase = text.split(/\r?\n/u)[0] ?? '';
    if (passphrase === '') throw new CliError(EXIT.USAGE, `--passphrase-file ${source.passphraseFile} is empty`);
    return passphrase;
  }
  const fromEnv = (source.env ?? process.env)[PASSPHRASE_ENV];
  return fromEnv ? fromEnv : undefined;
}

/** The passphrase from file or environment, else asked for on the terminal. */
export async function requirePassphrase(source: PassphraseSource, sessionId: string): Promise<string> {
  const given = await givenPassphrase(source);
  if (given !== undefined) return given;
  const typed = await promptTerminal(`Passphrase for ${sessionId}: `, false);
  if (typed === '') throw new CliError(EXIT.USAGE, 'No passphrase given');
  return typed;
}

/**
 * Asks on the terminal and reads one line; `echo` false shows nothing of
 * what is typed. Ctrl-C exits 130. Without a terminal: a usage error saying
 * how else to give it.
 */
export async function promptTerminal(question: string, echo: boolean): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new CliError(EXIT.USAGE, `No terminal to ask on: give the passphrase with --passphrase-file or ${PASSPHRASE_ENV}`);
  }
  // One handle reads (raw, so nothing echoes); plain writes to the same descriptor answer.
  const input = new ReadStream(fd);
  const output = { write: (text: string) => writeSync(fd, text) };
  try {
    input.setRawMode(true);
    output.write(question);
    return await new Promise<string>((resolve, reject) => {
      let line = '';
      input.setEncoding('utf8');
      input.on('data', (data: string) => {
        for (const char of data) {
          if (char === '\r' || char === '\n') {
            output.write('\n');
            resolve(line);
            return;
          }
          if (char === '\u0003') {
            output.write('\n');
            reject(new CliError(EXIT.INTERRUPTED, 'Interrupted', 'INTERRUPTED'));
            return;
          }
          if (char === '\u007f' || char === '\b') {
            if (line.length > 0 && echo) output.write('\b \b');
            line = [...line].slice(0, -1).join('');
          } else if (char >= ' ') {
            line += char;
            if (echo) output.write(char);
          }
        }
      });
    });
  } finally {
    input.setRawMode(false);
    input.destroy(); // closes the descriptor
  }
}
