import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { startServer } from '../testing/harness.ts';

const ADMIN = { ADMIN_USERNAME: 'operator', ADMIN_PASSWORD_HASH: bcrypt.hashSync('admin password', 4) };

/**
 * What the admin UI's two CDN stylesheets load in turn (not fetchable here:
 * no network). Google Fonts' CSS names its files on fonts.gstatic.com; the
 * @mdi/font CSS (read in its npm tarball, 7.4.47) names them relative to
 * itself, `url("../fonts/materialdesignicons-webfont.woff2?v=...")` and the
 * same in .woff, .ttf and .eot.
 */
const REMOTE_STYLESHEET_LOADS: Array<[RegExp, (css: URL) => string[]]> = [
  [/^https:\/\/fonts\.googleapis\.com\/css\b/, () => ['https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2']],
  [/^https:\/\/cdn\.jsdelivr\.net\/npm\/@mdi\/font@/, (css) =>
    ['woff2', 'woff', 'ttf', 'eot'].map((ext) => new URL(`../fonts/materialdesignicons-webfont.${ext}?v=7.4.47`, css).href)],
];

/** Whether a CSP allows loading `url` under `directive` (falling back to default-src), for a page of `origin`. */
function allows(policy: string, directive: string, url: URL, origin: string): boolean {
  const directives = new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
  const sources = directives.get(directive) ?? directives.get('default-src') ?? [];
  return sources.some((source) => {
    if (source === "'self'") return url.origin === origin;
    if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return url.protocol === source;
    if (!/^https?:\/\//.test(source)) return false;
    const allowed = new URL(source);
    if (allowed.origin !== url.origin) return false;
    // A path ending in "/" allows everything under it; any other path only itself (the query never counts).
    const sourcePath = source.slice(allowed.origin.length);
    if (sourcePath === '' || sourcePath.endsWith('/')) return url.pathname.startsWith(sourcePath || '/');
    return url.pathname === sourcePath;
  });
}

/** Every URL the page and its own stylesheets load, with the CSP directive that governs it. */
async function references(pageUrl: string): Promise<Array<{ directive: string; url: URL }>> {
  const html = await (await fetch(pageUrl)).text();
  const found: Array<{ directive: string; url: URL }> = [];
  for (const tag of html.match(/<(link|script)\b[^>]*>/g) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
    const href = attr('href') ?? attr('src');
    if (!href) continue;
    const rel = attr('rel');
    const as = attr('as');
    const directive = tag.startsWith('<script') || as === 'script' ? 'script-src'
      : rel === 'stylesheet' || as === 'style' ? 'style-src'
      : rel === 'icon' ? 'img-src'
      : undefined;
    assert.ok(directive, `a reference this test does not know: ${tag}`);
    found.push({ directive, url: new URL(href, pageUrl) });
  }
  for (const { directive, url } of [...found]) {
    if (directive !== 'style-src') continue;
    const remote = REMOTE_STYLESHEET_LOADS.find(([pattern]) => pattern.test(url.href));
    if (url.origin !== new URL(pageUrl).origin) {
      assert.ok(remote, `a stylesheet from elsewhere this test does not know: ${url.href}`);
      for (const font of remote[1](url)) found.push({ directive: 'font-src', url: new URL(font) });
      continue;
    }
    const css = await (await fetch(url)).text();
    for (const [, ref] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (ref!.startsWith('data:')) continue;
      const target = new URL(ref!, url);
      found.push({ directive: /\.(woff2?|ttf|otf|eot)$/.test(target.pathname) ? 'font-src' : 'img-src', url: target });
    }
    for (const [, ref] of css.matchAll(/@import\s+(?:url\()?["']([^"']+)["']/g)) found.push({ directive: 'style-src', url: new URL(ref!, url) });
  }
  return found;
}

test("the admin UI's policy allows every stylesheet, script, icon and font its page and styles reference", async (t) => {
  const server = await startServer(t, ADMIN);
  const res = await fetch(`${server.url}/admin/`);
  assert.equal(res.status, 200);
  const policy = res.headers.get('content-security-policy') ?? '';
  const refs = await references(`${server.url}/admin/`);
  assert.ok(refs.filter(({ url }) => url.origin !== server.url).length >= 6, 'the CDN stylesheets and their fonts were found');
  for (const { directive, url } of refs) {
    assert.ok(allows(policy, directive, url, server.url), `${directive} refuses ${url.href} under "${policy}"`);
  }
  // Exactly those: the CDNs serve styles and fonts only, nothing else from anywhere else.
  const origin = server.url;
  assert.ok(!allows(policy, 'script-src', new URL('https://cdn.jsdelivr.net/npm/@mdi/font@latest/css/x.js'), origin));
  assert.ok(!allows(policy, 'style-src', new URL('https://cdn.jsdelivr.net/npm/other/x.css'), origin));
  assert.ok(!allows(policy, 'font-src', new URL('https://fonts.example/x.woff2'), origin));
  assert.ok(!allows(policy, 'connect-src', new URL('https://fonts.gstatic.com/'), origin));
});

test("the app's own pages keep their strict policy when the admin UI is on", async (t) => {
  const server = await startServer(t, ADMIN);
  for (const page of ['/', '/embed-demo/']) {
    const policy = (await fetch(`${server.url}${page}`)).headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'self'/, page);
    assert.doesNotMatch(policy, /googleapis|gstatic|jsdelivr/, page);
    assert.ok(!allows(policy, 'style-src', new URL('https://fonts.googleapis.com/css?family=Roboto'), server.url), page);
    assert.ok(!allows(policy, 'font-src', new URL('https://fonts.gstatic.com/s/roboto/v30/x.woff2'), server.url), page);
  }
});
