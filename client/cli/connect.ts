/**
 * A ShareClient for the command line (Node's WebSocket transport) and the
 * join, with its failures as exit codes: a server that cannot be reached is
 * said at the first failed attempt (exit 5) instead of after the SDK's
 * 20-second join timeout; a refused access token is exit 3.
 */
import { hostname } from 'node:os';
// The Node entry: node-websocket.ts's transports and node:crypto's cipher by default.
import { ShareClient, type JoinInfo, type ShareError } from '../sdk/node.ts';
import { CliError, EXIT, toCliError } from './exit-codes.ts';

export const SERVER_ENV = 'SHARETHINGS_SERVER';
export const ACCESS_TOKEN_ENV = 'SHARETHINGS_ACCESS_TOKEN';
export const DEFAULT_SERVER = 'http://localhost:3000';
/** One connection attempt may take this long before the server counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  server: string;
  name: string;
  accessToken?: string | undefined;
}

/** The server's origin from --server, SHARETHINGS_SERVER or the default; a usage error when it is no http(s) URL. */
export function serverUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = option ?? (env[SERVER_ENV] || DEFAULT_SERVER);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(EXIT.USAGE, `--server ${raw} is not a URL (e.g. https://share.example.org)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(EXIT.USAGE, `--server ${raw} must be an http: or https: URL`);
  return url.origin;
}

/** The name the other members see: --name-as, else "CLI on <host>", within the 64 characters allowed. */
export function deviceName(option: string | undefined): string {
  return (option ?? `CLI on ${hostname()}`).slice(0, 64) || 'CLI';
}

export function createClient(options: ConnectOptions): ShareClient {
  try {
    return new ShareClient({
      url: options.server,
      clientName: options.name,
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      timeout: CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new CliError(EXIT.USAGE, toCliError(error).message);
  }
}

/**
 * Joins, or fails with the exit code for why: the first connection failure
 * before any connection ends it (the SDK would keep retrying).
 */
export async function joinSession(client: ShareClient, server: string, sessionId: string, passphrase: string, create: boolean): Promise<JoinInfo> {
  let offError = () => {};
  let offTimeout = () => {};
  const unreachable = new Promise<never>((_, reject) => {
    const fail = (error: ShareError | undefined) => {
      if (client.connected) return;
      if (error?.code === 'UNAUTHORIZED') reject(new CliError(EXIT.UNAUTHORIZED, `The server at ${server} refused the access token`, 'UNAUTHORIZED'));
      else reject(new CliError(EXIT.UNREACHABLE, `Cannot reach the server at ${server}${error ? '' : ' (timed out)'}`, 'UNAVAILABLE'));
    };
    offError = client.on('connection-error', fail);
    offTimeout = client.on('connection-timeout', () => fail(undefined));
  });
  try {
    return await Promise.race([client.join(sessionId, passphrase, { create }), unreachable]);
  } catch (error) {
    const failure = toCliError(error, true);
    if (failure.exitCode === EXIT.UNREACHABLE && !failure.message.includes(server)) {
      throw new CliError(EXIT.UNREACHABLE, `Cannot reach the server at ${server}: ${failure.message}`, failure.code);
    }
    throw failure;
  } finally {
    offError();
    offTimeout();
  }
}
