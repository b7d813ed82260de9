/**
 * The Socket.IO admin UI: instrumentation of the server (namespace /admin,
 * basic auth with a bcrypt hash, read-only, aggregated events only so no
 * payload ever reaches it) and its static front end at /admin/.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { instrument } from '@socket.io/admin-ui';
import type { Config } from '../config.ts';
import type { IoServer } from '../io/types.ts';
import { ADMIN_NAMESPACE } from './admin-aware-parser.ts';

export const ADMIN_PATH = '/admin/';

export function adminUiDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@socket.io/admin-ui/package.json')), 'ui', 'dist');
}

export function instrumentAdmin(io: IoServer, admin: NonNullable<Config['admin']>, nodeId: string): void {
  instrument(io as never, {
    namespaceName: ADMIN_NAMESPACE,
    auth: { type: 'basic', username: admin.username, password: admin.passwordHash },
    readonly: true,
    mode: 'production',
    // The node's id, so the admin UI tells the nodes of a cluster apart.
    serverId: nodeId,
  });
}
