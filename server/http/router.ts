/**
 * The plain HTTP routes: health and readiness, metrics, the web client, and
 * JSON 404s. Socket.IO answers its own path before these handlers run.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import { describeError } from '../log.ts';
import { sendJson, sendNotFound } from './respond.ts';
import { corsHeaders, type StaticFiles } from './static-files.ts';
import type { Readiness } from './readiness.ts';
import { DEVICE_LINKS_PATH, type DeviceLinks } from '../../protocol/device-links.ts';

type HealthFigures = Record<string, number | string | boolean>;

export interface HealthSource {
  /** Extra figures for /healthz: counts and states only, nothing about content. A promise only when they must wait for a shared service. */
  health(): HealthFigures | Promise<HealthFigures>;
  /** The figures for /readyz: this node's own, answered at once (never waiting on a shared service). */
  readiness(): HealthFigures;
}

export interface RouterDeps {
  staticFiles: StaticFiles;
  health: HealthSource;
  readiness: Readiness;
  log: Logger;
  metrics: { render(): Promise<{ contentType: string; body: string }> };
  /** Bearer token /metrics requires, if any. */
  metricsToken: string | undefined;
  /** The admin UI's front end, served under /admin/ when enabled. */
  adminFiles: StaticFiles | undefined;
  /** Where other devices can open the app ("Add a device"). */
  deviceLinks(): DeviceLinks;
  /** Access-Control-Allow-Origin for pages on other origins that embed the elements. */
  corsOrigin: '*' | string[];
}

/** A path that WHATWG URL parsing leaves as it is: no segment starting with a dot, no escapes, backslashes or `//`. */
const PLAIN_PATH = /^\/(?![/.])(?:[A-Za-z0-9\-_~!$&'()*+,;=:@.]|\/(?![/.]))*$/;

/** The request's pathname, without building a URL object in the common case (a plain path). */
function pathnameOf(target: string): string {
  const query = target.indexOf('?');
  const pathname = query < 0 ? target : target.slice(0, query);
  return PLAIN_PATH.test(pathname) ? pathname : new URL(target, 'http://localhost').pathname;
}

export function createRequestHandler(deps: RouterDeps) {
  const { staticFiles, health, readiness, log, metrics, metricsToken, adminFiles, deviceLinks, corsOrigin } = deps;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = { pathname: pathnameOf(req.url ?? '/') };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'Method not allowed', code: 'METHOD_NOT_ALLOWED' }, { Allow: 'GET, HEAD' });
      return;
    }
    if (url.pathname === '/healthz') {
      const figures = health.health();
      sendJson(res, 200, { status: 'ok', ...(figures instanceof Promise ? await figures : figures) });
      return;
    }
    if (url.pathname === '/readyz') {
      // Shared services (Redis) are reported but do not decide: one Redis blip must not take every node out at once.
      const { ready } = readiness.answer();
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'draining', ...health.readiness() });
      return;
    }
    if (url.pathname === '/metrics') {
      if (metricsToken !== undefined && req.headers.authorization !== `Bearer ${metricsToken}`) {
        sendJson(res, 401, { error: 'Unauthorized', code: 'UNAUTHORIZED' }, { 'WWW-Authenticate': 'Bearer' });
        return;
      }
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (url.pathname === DEVICE_LINKS_PATH) {
      sendJson(res, 200, deviceLinks(), corsHeaders(req, corsOrigin));
      return;
    }
    if (adminFiles && url.pathname === '/admin') {
      res.writeHead(308, { Location: '/admin/' });
      res.end();
      return;
    }
    if (adminFiles && url.pathname.startsWith('/admin/')) {
      if (await adminFiles.serve(req, res, url.pathname.slice('/admin'.length))) return;
      sendNotFound(res);
      return;
    }
    if (await staticFiles.serve(req, res, url.pathname)) return;
    sendNotFound(res);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      log.error('http request failed', { path: req.url?.split('?')[0], error: describeError(error) });
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal error', code: 'INTERNAL' });
      else res.destroy();
    });
  };
}
