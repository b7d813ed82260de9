/**
 * `make cluster-stop`: ends exactly the processes `make cluster` started
 * (recognised by pid and command line): the nodes first, all at once (they
 * drain while HAProxy still checks them), then HAProxy, the object store and
 * Redis. Their data stays in run/cluster/ for the next `make cluster`;
 * delete that folder to start empty.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forgetRecord, localClusterLayout, readRecord, stillOurs, type LocalClusterLayout, type Recorded } from './local-cluster.ts';
import { stopPid } from './process.ts';

const ORDER = ['node', 'haproxy', 'swift', 'redis'];
const kind = (name: string) => (name === 'haproxy' || name === 'redis' ? name : name.startsWith('swift') ? 'swift' : 'node');

export async function stopRecorded(layout: LocalClusterLayout, processes: Recorded[]): Promise<number> {
  let stopped = 0;
  for (const group of ORDER) {
    const ours = processes.filter((process) => kind(process.name) === group && stillOurs(process));
    await Promise.all(ours.map((process) => stopPid(process.pid, 'SIGTERM')));
    stopped += ours.length;
  }
  await forgetRecord(layout);
  return stopped;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const layout = localClusterLayout(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const stopped = await stopRecorded(layout, await readRecord(layout));
  process.stdout.write(stopped > 0 ? `Stopped the cluster (${stopped} processes)\n` : 'No cluster was running\n');
}
