/**
 * Serves the built web client. Files are cached in memory after the first
 * read, each with its response headers built once, and revalidated by mtime
 * (at most once a second), so a rebuild is picked up without a restart.
 * Hashed asset names are immutable; everything else is revalidated by ETag.
 * The gzip and brotli variants the build writes beside a file (`FILE.gz`,
 * `FILE.br`, client/build.ts) are served to clients that accept them, with
 * `Vary: Accept-Encoding` and an ETag of their own.
 * With `corsOrigin`, scripts and other assets (not pages) carry
 * Access-Control-Allow-Origin for the origins allowed to connect, so a page
 * there can load the elements as module scripts (which browsers fetch in
 * CORS mode).
 */
import { readFile, stat } from 'node:fs/promises';
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

/** A file's stat is trusted this long before it is checked again (a rebuild shows within it). */
export const REVALIDATE_MS = 1000;

type Encoding = 'br' | 'gzip';
/** Preferred first: brotli is the smaller. */
const ENCODINGS: readonly Encoding[] = ['br', 'gzip'];
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/** One way of sending a file: its bytes and the headers of a 200 and a 304, as flat [name, value, ...] lists. */
interface Representation {
  body: Buffer;
  etag: string;
  ok: string[];
  notModified: string[];
}

interface CachedFile {
  mtimeMs: number;
  checkedAt: number;
  isHtml: boolean;
  identity: Representation;
  encoded: Partial<Record<Encoding, Representation>>;
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

/**
 * The encoding to send among those available: the first of br, gzip that the
 * request's Accept-Encoding allows (listed, or `*`, without q=0); identity otherwise.
 */
export function chooseEncoding(acceptEncoding: string | undefined, available: Partial<Record<Encoding, unknown>>): Encoding | undefined {
  if (!acceptEncoding || !ENCODINGS.some((encoding) => available[encoding])) return undefined;
  const accepted = new Map<string, boolean>();
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(token.trim(), q === undefined || Number(q.slice(2)) > 0);
  }
  for (const encoding of ENCODINGS) {
    if (available[encoding] && (accepted.get(encoding) ?? accepted.get('*') ?? false)) return encoding;
  }
  return undefined;
}

export function createStaticFiles(rootDir: string, options: StaticFilesOptions = {}): StaticFiles {
  const root = path.resolve(rootDir);
  const cache = new Map<string, CachedFile>();
  const pagePolicy = options.contentSecurityPolicy ?? CONTENT_SECURITY_POLICY;

  function represent(filePath: string, body: Buffer, etag: string, encoding: Encoding | undefined, varies: boolean): Representation {
    const ext = path.extname(filePath);
    const common: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'Cache-Control': HASHED_NAME.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
      ...(ext === '.html' ? { 'Content-Security-Policy': pagePolicy } : {}),
      ...(varies ? { Vary: 'Accept-Encoding' } : {}),
    };
    const flat = (headers: Record<string, string>) => Object.entries(headers).flat();
    return {
      body,
      etag,
      ok: flat({ ...common, ...(encoding ? { 'Content-Encoding': encoding } : {}), 'Content-Length': String(body.byteLength) }),
      notModified: flat(common),
    };
  }

  async function load(filePath: string): Promise<CachedFile | undefined> {
    const cached = cache.get(filePath);
    const now = Date.now();
    if (cached && now - cached.checkedAt < REVALIDATE_MS) return cached;
    const info = await stat(filePath).catch(() => undefined);
    if (!info?.isFile()) {
      cache.delete(filePath);
      return undefined;
    }
    if (cached && cached.mtimeMs === info.mtimeMs) {
      cached.checkedAt = now;
      return cached;
    }
    const body = await readFile(filePath);
    const tag = `${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}`;
    // A variant counts only if it was written after the file (not left over from an older build).
    const variants = await Promise.all(ENCODINGS.map(async (encoding) => {
      const variant = `${filePath}${SUFFIX[encoding]}`;
      const variantInfo = await stat(variant).catch(() => undefined);
      if (!variantInfo?.isFile() || variantInfo.mtimeMs < info.mtimeMs) return undefined;
      const bytes = await readFile(variant).catch(() => undefined);
      return bytes && ([encoding, bytes] as [Encoding, Buffer]);
    }));
    const found = variants.filter((v): v is [Encoding, Buffer] => v !== undefined);
    const varies = found.length > 0;
    const file: CachedFile = {
      mtimeMs: info.mtimeMs,
      checkedAt: now,
      isHtml: path.extname(filePath) === '.html',
      identity: represent(filePath, body, `"${tag}"`, undefined, varies),
      encoded: Object.fromEntries(found.map(([encoding, bytes]) => [encoding, represent(filePath, bytes, `"${tag}-${encoding}"`, encoding, true)])),
    };
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
      const encoding = chooseEncoding(req.headers['accept-encoding'], file.encoded);
      const chosen = (encoding && file.encoded[encoding]) || file.identity;
      const notModified = req.headers['if-none-match'] === chosen.etag;
      let headers = notModified ? chosen.notModified : chosen.ok;
      if (!file.isHtml && options.corsOrigin !== undefined) {
        const cors = corsHeaders(req, options.corsOrigin);
        if (cors.Vary && Object.keys(file.encoded).length > 0) cors.Vary = `Accept-Encoding, ${cors.Vary}`;
        // Vary is the one header both lists may name: the merged value replaces the file's own.
        const own = cors.Vary ? withoutHeader(headers, 'Vary') : headers;
        headers = [...own, ...Object.entries(cors).flat()];
      }
      res.writeHead(notModified ? 304 : 200, headers);
      res.end(notModified || req.method === 'HEAD' ? undefined : chosen.body);
      return true;
    },
  };
}

function withoutHeader(flat: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i] !== name) out.push(flat[i]!, flat[i + 1]!);
  return out;
}
