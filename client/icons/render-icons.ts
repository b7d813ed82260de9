/**
 * Renders the app's PNG icons from the logo (client/favicon.svg) in Chromium.
 * Run once after changing the logo: `npx tsx client/icons/render-icons.ts`;
 * the PNGs beside this file are committed and copied by the build.
 * - icon-192.png, icon-512.png: the logo as it is (manifest purpose "any");
 * - icon-maskable-512.png: a full-bleed background and the mark shrunk into
 *   the safe zone (the centred circle of 80% diameter), so whatever shape the
 *   launcher cuts keeps the mark whole;
 * - apple-touch-icon.png (180): full-bleed too, as iOS rounds the corners
 *   itself and would fill transparent ones with black.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/browser.ts';

const iconsDir = path.dirname(fileURLToPath(import.meta.url));

interface Icon {
  file: string;
  size: number;
  /** Square background to the edges instead of the logo's rounded corners. */
  fullBleed: boolean;
  /** The mark's size relative to the logo's. */
  markScale: number;
}

const ICONS: Icon[] = [
  { file: 'icon-192.png', size: 192, fullBleed: false, markScale: 1 },
  { file: 'icon-512.png', size: 512, fullBleed: false, markScale: 1 },
  // The mark reaches ~14.5 of 32 units from the centre; the safe zone is 12.8.
  { file: 'icon-maskable-512.png', size: 512, fullBleed: true, markScale: 0.8 },
  { file: 'apple-touch-icon.png', size: 180, fullBleed: true, markScale: 0.9 },
];

const logo = await readFile(path.join(iconsDir, '..', 'favicon.svg'), 'utf8');
const browser = await launchChromium();
if (typeof browser === 'string') throw new Error(`cannot render icons: ${browser}`);
try {
  const page = await browser.newPage();
  for (const icon of ICONS) {
    await page.setViewportSize({ width: icon.size, height: icon.size });
    await page.setContent(`<body style="margin:0">${logo}</body>`);
    // The logo is a background <rect> followed by the mark's <g>.
    await page.evaluate(({ size, fullBleed, markScale }) => {
      const svg = document.querySelector('svg')!;
      svg.setAttribute('width', String(size));
      svg.setAttribute('height', String(size));
      svg.style.display = 'block';
      const { width, height } = svg.viewBox.baseVal;
      if (fullBleed) svg.firstElementChild!.removeAttribute('rx');
      const [cx, cy] = [width / 2, height / 2];
      svg.lastElementChild!.setAttribute('transform', `translate(${cx} ${cy}) scale(${markScale}) translate(${-cx} ${-cy})`);
    }, icon);
    await page.screenshot({ path: path.join(iconsDir, icon.file), omitBackground: true });
    process.stdout.write(`wrote client/icons/${icon.file}\n`);
  }
} finally {
  await browser.close();
}
