#!/usr/bin/env node
/**
 * The `sharethings` command: its wiring to the process. Signals become an
 * AbortSignal (a first Ctrl-C lets the current write finish and exits 130;
 * a second exits at once), failures become one message and an exit code
 * (exit-codes.ts). The commands themselves: args.ts, send.ts, receive.ts.
 */
import { CommanderError } from 'commander';
import { buildProgram, commanderExit } from './args.ts';
import { EXIT, toCliError } from './exit-codes.ts';

/** Enough for stdout and stderr to drain into a pipe; a handle still open after it does not keep the process. */
const EXIT_GRACE_MS = 2000;

const program = buildProgram(async (work, output) => {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await work({ output, interrupt: controller.signal, env: process.env, stdin: process.stdin, terminal: process.stderr.isTTY === true });
  } catch (error) {
    const failure = toCliError(error);
    output.failure({ code: failure.code, exitCode: failure.exitCode, message: failure.message });
    process.exitCode = failure.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CommanderError ? commanderExit(error) : EXIT.FAILED;
  if (!(error instanceof CommanderError)) process.stderr.write(`sharethings: ${error instanceof Error ? error.message : String(error)}\n`);
}
setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
