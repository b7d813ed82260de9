/**
 * Serves the built web client. Files are cached in memory after the first
 * read and revalidated by mtime, so a rebuild is picked up without a restart.
 * Hashed asset names are immutable; everything else is revalidated by ETag.
 * With `corsOrigin`, scripts and other assets (not pages) carry
 * Access-Control-Allow-Origin for the origins allowed to connect, so a page
 * there can load the elements as module scripts (which browsers fetch in
 * CORS mode).
 */
import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './respond.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

// esbuild names hashed assets like `app-3F2A9C1B.js`.
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "frame-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self' blob:", // 'self': the service worker (sw.js); blob: the key-derivation worker on other origins
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join('; ');

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  etag: string;
}

export interface StaticFiles {
  /** Answers the request when it names a client file; returns false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
}

export interface StaticFilesOptions {
  /** The origins allowed to use the client from elsewhere: the server's CORS_ORIGIN. */
  corsOrigin?: '*' | string[];
  /** The Content-Security-Policy of the pages, when not the web client's own (the admin UI's). */
  contentSecurityPolicy?: string;
}

/** The Access-Control-Allow-Origin (and Vary) headers for a request, if its origin is allowed. */
export function corsHeaders(req: IncomingMessage, allowed: StaticFilesOptions['corsOrigin']): Record<string, string> {
  if (allowed === undefined) return {};
  if (allowed === '*') return { 'Access-Control-Allow-Origin': '*' };
  const origin = req.headers.origin;
  const vary = { Vary: 'Origin' };
  return origin && allowed.includes(origin) ? { ...vary, 'Access-Control-Allow-Origin': origin } : vary;
}

export function createStaticFiles(rootDir: string, options: StaticFilesOptions = {}): StaticFiles {
  const root = path.resolve(rootDir);
  const cache = new Map<string, CachedFile>();

  async function load(filePath: string): Promise<CachedFile | undefined> {
    const info = await stat(filePath).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(filePath);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(filePath);
    const file = { mtimeMs: info.mtimeMs, body, etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"` };
    cache.set(filePath, file);
    return file;
  }

  function resolve(pathname: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    // A directory URL (ending in "/") serves the directory's index.html.
    const relative = `${decoded.replace(/^\/+/, '')}${decoded.endsWith('/') ? 'index.html' : ''}`;
    // No dotfiles and nothing outside the root, whatever the request says.
    if (relative.split('/').some((part) => part.startsWith('.'))) return undefined;
    const filePath = path.resolve(root, relative);
    if (filePath !== root && !filePath.startsWith(root + path.sep)) return undefined;
    return filePath;
  }

  /** Sends `/dir` on to `/dir/` when that directory has an index.html, so its relative links resolve. */
  async function redirectToDirectory(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (pathname.endsWith('/')) return false;
    const index = resolve(`${pathname}/`);
    if (!index || !(await load(index))) return false;
    // Relative to the request's own path, so it holds wherever these files are mounted (/admin/...).
    const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    res.writeHead(308, { Location: `${pathname.slice(pathname.lastIndexOf('/') + 1)}/${query}` });
    res.end();
    return true;
  }

  return {
    async serve(req, res, pathname) {
      const filePath = resolve(pathname);
      if (!filePath) return false;
      const file = await load(filePath);
      if (!file) return redirectToDirectory(req, res, pathname);
      const ext = path.extname(filePath);
      const isHtml = ext === '.html';
      const headers: Record<string, string | number> = {
        ...SECURITY_HEADERS,
        'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
        'Cache-Control': HASHED_NAME.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ETag: file.etag,
        ...(isHtml ? {} : corsHeaders(req, options.corsOrigin)),
      };
      if (isHtml) headers['Content-Security-Policy'] = options.contentSecurityPolicy ?? CONTENT_SECURITY_POLICY;
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      headers['Content-Length'] = file.body.byteLength;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    },
  };
}
