import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { tempDir } from '../testing/harness.ts';
import { ensureLocalCertificate, type TlsMaterial } from './local-certificate.ts';
import { renewPeriodically } from './renewal.ts';
import { createSecureServer } from './secure-server.ts';

const NAMES = { dns: ['localhost'], ips: ['127.0.0.1'] };

async function servedFingerprint(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

test('a renewed certificate is served to new connections without a restart', async (t) => {
  const old = await ensureLocalCertificate(await tempDir(t), NAMES);
  const fresh = await ensureLocalCertificate(await tempDir(t), NAMES);
  const server = createSecureServer(createHttpServer(), old);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  assert.equal(await servedFingerprint(port), old.fingerprint);

  let loads = 0;
  const renewed = new Promise<TlsMaterial>((resolve, reject) => {
    const stop = renewPeriodically(server, old, {
      // The same certificate at the first check (nothing to do), a new one at the second.
      load: async () => (++loads === 1 ? old : fresh),
      renewed: (material) => {
        stop();
        resolve(material);
      },
      failed: reject,
    }, 20);
  });
  assert.equal((await renewed).fingerprint, fresh.fingerprint);
  assert.equal(loads, 2);
  assert.equal(await servedFingerprint(port), fresh.fingerprint);
});
