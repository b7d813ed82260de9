/**
 * `make admin-password`: prints a bcrypt hash for ADMIN_PASSWORD_HASH.
 *
 * In a terminal it asks on stderr without echoing (raw mode: Backspace erases,
 * Enter ends, Ctrl-C aborts), asks twice and compares. From a pipe it reads
 * one line. An empty password, or one bcrypt would cut short (over 72 bytes),
 * is refused with exit code 2. Only the hash goes to stdout.
 */
import bcrypt from 'bcryptjs';

const COST = 12;
const MAX_BYTES = 72; // bcrypt ignores everything after the 72nd byte

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The first line of a piped stdin (without its line ending), or everything when there is no newline. */
async function readLine(input: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const data of input) {
    text += (data as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** Asks on stderr and reads keys in raw mode, echoing nothing, until Enter. */
function ask(input: NodeJS.ReadStream, prompt: string): Promise<string> {
  // Echo off before the prompt shows, so nothing typed after it is ever echoed.
  input.setRawMode(true);
  input.resume();
  process.stderr.write(prompt);
  let typed = '';
  return new Promise((resolve) => {
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\u0003') {
          input.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130); // as a shell reports Ctrl-C
        }
        if (char === '\r' || char === '\n' || char === '\u0004') {
          input.off('data', onData);
          input.setRawMode(false);
          input.pause();
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char; // other control keys (arrows' escapes included) are ignored
      }
    };
    input.on('data', onData);
  });
}

async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return readLine(input);
  const password = await ask(input, 'Admin password: ');
  if (password === '') return password; // refused below, without asking again
  if ((await ask(input, 'Again: ')) !== password) fail('The two passwords differ; nothing printed.');
  return password;
}

const password = await readPassword();
if (password === '') fail('Empty password refused: type one (or pipe one line in); nothing printed.');
if (Buffer.byteLength(password) > MAX_BYTES) fail(`Password longer than ${MAX_BYTES} bytes refused: bcrypt ignores everything after that.`);
process.stdout.write(`${await bcrypt.hash(password, COST)}\n`);
