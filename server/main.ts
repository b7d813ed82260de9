/** Entry point: read the config, start the app, stop gracefully on SIGTERM/SIGINT. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import type { AddressInfo, Server } from 'node:net';
import { secureBanner } from './tls/banner.ts';
import { checkClientDir } from './http/client-dir.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let config: Config;
try {
  config = loadConfig(process.env, { clientDir: path.join(projectRoot, 'dist', 'client'), dataDir: path.resolve('data') });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Configuration error: ${error.message}\n`);
  process.exit(2);
}

const log = createLogger(config.logLevel);
if (config.production && !config.behindProxy && !config.tls?.files) {
  log.warn('NODE_ENV=production without BEHIND_PROXY: serve ShareThings over HTTPS/WSS (e.g. behind the HAProxy of haproxy.cfg with TLS) and set BEHIND_PROXY=true');
}
let app: App;
try {
  await checkClientDir(config.clientDir);
  app = await createApp(config, { log });
} catch (error) {
  // Start-up checks that need the outside world (the client build, the data directory, Redis, the bucket) fail like bad settings.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Configuration error: ${error.message}\n`);
  process.exit(2);
}

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  app.close().then(() => process.exit(0), () => process.exit(1));
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

function listen(server: Server, port: number, variable: string): Promise<number> {
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`Cannot listen on ${config.host}:${port} (${variable}): ${error.code ?? error.message}\n`);
      process.exit(1);
    });
    server.listen(port, config.host, () => resolve((server.address() as AddressInfo).port));
  });
}

const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
const port = await listen(app.httpServer, config.port, 'PORT');
const securePort = app.secure && config.tls ? await listen(app.secure.server, config.tls.port, 'HTTPS_PORT') : undefined;
log.info('listening', { host: config.host, port, httpsPort: securePort, node: config.nodeId, cluster: config.cluster !== undefined });
process.stdout.write(`ShareThings is running at http://${shownHost}:${port}\n`);
if (app.secure && securePort !== undefined) {
  process.stdout.write(secureBanner(app.secure.material, { shownHost, port: securePort, extraNames: config.tls?.extraNames ?? [] }));
}


