/**
 * Whether and how this node serves HTTPS itself, from the environment:
 * - HTTPS=auto (default): on for a node on its own (`make run`), with a
 *   self-signed certificate for this machine; off behind a TLS-terminating
 *   proxy (BEHIND_PROXY=true) and in cluster mode, where HAProxy holds TLS;
 * - HTTPS=on / off: forced;
 * - TLS_CERT and TLS_KEY: the operator's own PEM files (then HTTPS is on);
 * - HTTPS_PORT (default 3443), TLS_NAMES: extra names for the certificate.
 */
import { isIP } from 'node:net';
import { ConfigError, integer, type Env } from '../config-values.ts';

export interface TlsConfig {
  port: number;
  /** The operator's certificate and key files; without them, a self-signed certificate is made. */
  files: { cert: string; key: string } | undefined;
  /** Names and addresses the self-signed certificate covers besides this machine's own. */
  extraNames: string[];
}

export const DEFAULT_HTTPS_PORT = 3443;

function files(env: Env): TlsConfig['files'] {
  const cert = env.TLS_CERT?.trim();
  const key = env.TLS_KEY?.trim();
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new ConfigError('TLS_CERT and TLS_KEY must be set together (paths to PEM files), or neither');
  return { cert, key };
}

function extraNames(raw: string | undefined): string[] {
  const names = (raw ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  for (const name of names) {
    if (!isIP(name) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) {
      throw new ConfigError(`TLS_NAMES must be host names or IP addresses separated by commas, got "${name}"`);
    }
  }
  return names;
}

export function tlsConfig(env: Env, context: { behindProxy: boolean; cluster: boolean }): TlsConfig | undefined {
  const mode = (env.HTTPS?.trim().toLowerCase() || 'auto');
  if (!['auto', 'on', 'off'].includes(mode)) throw new ConfigError(`HTTPS must be auto, on or off, got "${env.HTTPS}"`);
  const own = files(env);
  const port = integer(env, 'HTTPS_PORT', DEFAULT_HTTPS_PORT, 0, 65_535);
  const names = extraNames(env.TLS_NAMES);
  if (mode === 'off') return undefined;
  if (mode === 'auto' && !own && (context.behindProxy || context.cluster)) return undefined;
  return { port, files: own, extraNames: names };
}
