import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_MAX_HTTP_BUFFER_SIZE, loadConfig } from './config.ts';

const defaults = { clientDir: 'dist/client', dataDir: 'data' };

test('the defaults are the seed\'s options', () => {
  const config = loadConfig({}, defaults);
  assert.equal(config.port, 3000);
  assert.deepEqual(config.corsOrigin, '*');
  assert.deepEqual(config.transports, ['websocket', 'polling']);
  assert.equal(config.allowEIO3, true);
  assert.equal(config.allowUpgrades, true);
  assert.equal(config.pingTimeoutMs, 60_000);
  assert.equal(config.pingIntervalMs, 25_000);
  assert.equal(config.connectTimeoutMs, 45_000);
  assert.equal(config.maxHttpBufferSize, DEFAULT_MAX_HTTP_BUFFER_SIZE);
  assert.equal(config.dataDir, 'data');
  assert.equal(config.sessionTtlMs, 24 * 3_600_000);
});

test('durations accept units', () => {
  assert.equal(loadConfig({ SESSION_TTL: '90m' }, defaults).sessionTtlMs, 90 * 60_000);
  assert.equal(loadConfig({ SESSION_TTL: '2d' }, defaults).sessionTtlMs, 2 * 24 * 3_600_000);
  assert.equal(loadConfig({ SWEEP_INTERVAL: '250ms' }, defaults).sweepIntervalMs, 250);
  assert.equal(loadConfig({ UPLOAD_ABANDON_AFTER: '1500' }, defaults).uploadAbandonMs, 1500);
});

test('every option can be set from the environment', () => {
  const config = loadConfig(
    {
      PORT: '8080',
      HOST: '127.0.0.1',
      CORS_ORIGIN: 'https://a.example, http://localhost:5173/',
      TRANSPORTS: 'websocket',
      ALLOW_EIO3: 'false',
      ALLOW_UPGRADES: 'no',
      PING_TIMEOUT_MS: '5000',
      PING_INTERVAL_MS: '2000',
      CONNECT_TIMEOUT_MS: '3000',
      MAX_HTTP_BUFFER_SIZE: String(8 * 1024 * 1024),
      MAX_ITEM_BYTES: '1000',
      LOG_LEVEL: 'DEBUG',
    },
    defaults,
  );
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.deepEqual(config.corsOrigin, ['https://a.example', 'http://localhost:5173']);
  assert.deepEqual(config.transports, ['websocket']);
  assert.equal(config.allowEIO3, false);
  assert.equal(config.allowUpgrades, false);
  assert.equal(config.pingTimeoutMs, 5000);
  assert.equal(config.pingIntervalMs, 2000);
  assert.equal(config.connectTimeoutMs, 3000);
  assert.equal(config.maxHttpBufferSize, 8 * 1024 * 1024);
  assert.equal(config.maxItemBytes, 1000);
  assert.equal(config.logLevel, 'debug');
});

test('bad values fail with a message naming the variable and the value', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^PORT must be a whole number between 0 and 65535, got "abc"$/],
    [{ PORT: '70000' }, /^PORT must be a whole number/],
    [{ PORT: '-1' }, /^PORT must be a whole number/],
    [{ PING_TIMEOUT_MS: '1.5' }, /^PING_TIMEOUT_MS must be a whole number/],
    [{ ALLOW_EIO3: 'maybe' }, /^ALLOW_EIO3 must be true or false, got "maybe"$/],
    [{ TRANSPORTS: 'websocket,carrier-pigeon' }, /^TRANSPORTS must be a comma-separated list/],
    [{ CORS_ORIGIN: 'not a url' }, /^CORS_ORIGIN entries must be origins/],
    [{ CORS_ORIGIN: 'https://a.example/path' }, /^CORS_ORIGIN entries must be bare origins/],
    [{ MAX_HTTP_BUFFER_SIZE: '1000' }, /^MAX_HTTP_BUFFER_SIZE must be a whole number between 2097184/],
    [{ SESSION_TTL: '1 day' }, /^SESSION_TTL must be a duration like 24h/],
    [{ SESSION_TTL: '10' }, /^SESSION_TTL must be a duration like 24h, 90m, 30s or 500ms, between 1000 ms/],
    [{ STORE_FSYNC: 'sometimes' }, /^STORE_FSYNC must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"$/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env, defaults), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `${JSON.stringify(env)} threw ${String(error)}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

test('the limits before any work have defaults, are validated, and name the variable', () => {
  const { limits } = loadConfig({}, defaults);
  assert.deepEqual(
    [limits.fetchesInFlight, limits.handshakesPerAddress, limits.openConnectionsPerAddress, limits.httpConnectionsPerAddress],
    [32, 300, 100, 256],
  );
  assert.deepEqual([limits.httpHeadersTimeoutMs, limits.httpRequestTimeoutMs, limits.httpKeepAliveTimeoutMs], [10_000, 60_000, 5_000]);
  assert.equal(loadConfig({ HTTP_HEADERS_TIMEOUT: '2s', HTTP_REQUEST_TIMEOUT: '30s' }, defaults).limits.httpHeadersTimeoutMs, 2000);
  assert.throws(() => loadConfig({ FETCHES_IN_FLIGHT: '0' }, defaults), /FETCHES_IN_FLIGHT/);
  assert.throws(() => loadConfig({ OPEN_CONNECTIONS_PER_ADDRESS: 'many' }, defaults), /OPEN_CONNECTIONS_PER_ADDRESS/);
  assert.throws(() => loadConfig({ HTTP_CONNECTIONS_PER_ADDRESS: '-1' }, defaults), /HTTP_CONNECTIONS_PER_ADDRESS/);
  assert.throws(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT: 'soon' }, defaults), /HTTP_KEEP_ALIVE_TIMEOUT/);
  assert.throws(
    () => loadConfig({ HTTP_HEADERS_TIMEOUT: '2m', HTTP_REQUEST_TIMEOUT: '1m' }, defaults),
    (error: unknown) => error instanceof ConfigError && /HTTP_HEADERS_TIMEOUT.*HTTP_REQUEST_TIMEOUT/.test(error.message),
  );
});
