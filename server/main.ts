/** Entry point: read the config, start the app, stop gracefully on SIGTERM/SIGINT. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let config;
try {
  config = loadConfig(process.env, { clientDir: path.join(projectRoot, 'dist', 'client'), dataDir: path.resolve('data') });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Configuration error: ${error.message}\n`);
  process.exit(2);
}

const log = createLogger(config.logLevel);
if (config.production && !config.behindProxy) {
  log.warn('NODE_ENV=production without BEHIND_PROXY: serve ShareThings over HTTPS/WSS (e.g. behind the HAProxy of haproxy.cfg with TLS) and set BEHIND_PROXY=true');
}
let app: App;
try {
  app = await createApp(config, { log });
} catch (error) {
  // Start-up checks that need the outside world (the data directory, Redis, the bucket) fail like bad settings.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Configuration error: ${error.message}\n`);
  process.exit(2);
}

app.httpServer.on('error', (error: NodeJS.ErrnoException) => {
  process.stderr.write(`Cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}\n`);
  process.exit(1);
});
app.httpServer.listen(config.port, config.host, () => {
  const address = app.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log.info('listening', { host: config.host, port, node: config.nodeId, cluster: config.cluster !== undefined });
  process.stdout.write(`ShareThings is running at http://${shownHost}:${port}\n`);
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  app.close().then(() => process.exit(0), () => process.exit(1));
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
