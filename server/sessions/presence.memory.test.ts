import { presenceContract } from './presence.contract.ts';
import { MemoryPresence } from './presence.memory.ts';

presenceContract('memory presence', async (t) => {
  const presence = new MemoryPresence();
  t.after(() => presence.close());
  return presence;
});
