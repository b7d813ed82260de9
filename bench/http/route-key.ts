/** How bench/http.ts and its baseline server (baseline-server.ts) key a captured response. */

/** The path without its query, and `#br` when the request accepts brotli. */
export function routeKey(url: string, acceptEncoding: string | undefined): string {
  const query = url.indexOf('?');
  const pathname = query < 0 ? url : url.slice(0, query);
  return acceptEncoding?.includes('br') ? `${pathname}#br` : pathname;
}
