import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../log.ts';
import { contentStoreContract } from '../content-store.contract.ts';
import { DiskStore } from './disk-store.ts';

contentStoreContract('disk store', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-test-'));
  const store = new DiskStore(dir, { fsync: false, log: createLogger('silent') });
  await store.open();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
});
