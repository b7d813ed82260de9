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

/**
 * The admin UI's own page policy. Its built index.html loads two stylesheets
 * from CDNs, whose files are not in node_modules: the Roboto font from Google
 * Fonts (the CSS at fonts.googleapis.com/css, its font files at
 * fonts.gstatic.com) and the Material Design icons from jsDelivr (the CSS at
 * @mdi/font@latest/css/, its fonts at ../fonts/ beside it). Exactly those are
 * allowed, for styles and fonts only; everything else is the app's strict
 * policy. Without them the UI's icons are blank.
 */
const MDI = 'https://cdn.jsdelivr.net/npm/@mdi/font@latest/';
export const ADMIN_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  `style-src 'self' 'unsafe-inline' https://fonts.googleapis.com/css ${MDI}css/`,
  `font-src 'self' https://fonts.gstatic.com/ ${MDI}fonts/`,
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join('; ');

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
