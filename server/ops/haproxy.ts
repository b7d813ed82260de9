/**
 * HAProxy for the tests and `make cluster`: the shipped haproxy.cfg, with
 * other ports, certificate and nodes where needed (every change must find
 * its line, so the config and this code cannot drift apart), started and
 * asked through its runtime API.
 */
import net from 'node:net';
import { startProcess, waitUntil, type Started, type StartOptions } from './process.ts';

export interface HaproxyPorts {
  http: number;
  /** Leave out for no TLS front end. */
  https?: number;
  stats: number;
  runtime: number;
}

export interface HaproxyNode {
  name: string;
  port: number;
}

function replaceOnce(config: string, pattern: RegExp, replacement: string): string {
  const matches = config.match(new RegExp(pattern.source, 'gm'));
  if (matches?.length !== 1) throw new Error(`haproxy.cfg: expected one line matching ${pattern}, found ${matches?.length ?? 0}`);
  return config.replace(new RegExp(pattern.source, 'm'), replacement);
}

/** The shipped configuration for other ports, a certificate at another path and the given nodes. */
export function haproxyConfig(shipped: string, options: { ports: HaproxyPorts; certificate?: string; nodes: HaproxyNode[] }): string {
  const { ports, nodes } = options;
  let config = replaceOnce(shipped, /^(\s*)bind :8080$/, `$1bind 127.0.0.1:${ports.http}`);
  config = replaceOnce(
    config,
    /^(\s*)bind :8443 ssl crt certs\/haproxy\.pem(.*)$/,
    ports.https === undefined ? '' : `$1bind 127.0.0.1:${ports.https} ssl crt ${options.certificate ?? 'certs/haproxy.pem'}$2`,
  );
  config = replaceOnce(config, /^(\s*)stats socket ipv4@127\.0\.0\.1:9999 (.*)$/, `$1stats socket ipv4@127.0.0.1:${ports.runtime} $2`);
  config = replaceOnce(config, /^(\s*)bind 127\.0\.0\.1:8404$/, `$1bind 127.0.0.1:${ports.stats}`);
  // The shipped nodes go; the given ones take node1's place.
  config = config.replace(/^\s*use-server node[23] if .*\n/gm, '').replace(/^\s*server node[23] 127\.0\.0\.1:300[23]\n/gm, '');
  const useServers = nodes.map(({ name }) => `    use-server ${name} if { url_param(sid) -m beg ${name}. }`).join('\n');
  const servers = nodes.map(({ name, port }) => `    server ${name} 127.0.0.1:${port}`).join('\n');
  config = replaceOnce(config, /^\s*use-server node1 if .*$/, useServers);
  return replaceOnce(config, /^\s*server node1 127\.0\.0\.1:3001$/, servers);
}

/** Sends one command to HAProxy's runtime API and returns its answer. */
export function haproxyCommand(runtimePort: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(runtimePort, '127.0.0.1');
    let answer = '';
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Each server's state as HAProxy sees it (UP, DOWN, MAINT, DRAIN...): `show servers state`. */
export async function serverStates(runtimePort: number, backend = 'sharethings_nodes'): Promise<Map<string, string>> {
  const lines = (await haproxyCommand(runtimePort, `show stat`)).split('\n');
  const states = new Map<string, string>();
  for (const line of lines) {
    const fields = line.split(',');
    if (fields[0] === backend && fields[1] !== 'BACKEND' && fields[1] !== 'FRONTEND' && fields[17]) states.set(fields[1]!, fields[17]!);
  }
  return states;
}

/** Starts haproxy on a configuration file; resolves once every node it knows is up. */
export async function startHaproxy(binary: string, configPath: string, ports: HaproxyPorts, nodes: string[], options: StartOptions = {}): Promise<Started> {
  const started = startProcess(binary, ['-db', '-f', configPath], options);
  try {
    await waitUntil(
      async () => {
        const states = await serverStates(ports.runtime);
        return nodes.every((node) => states.get(node) === 'UP');
      },
      20_000,
      () => `haproxy with ${nodes.join(', ')} up: ${started.output()}`,
    );
  } catch (error) {
    await started.stop('SIGKILL');
    throw error;
  }
  return started;
}
