import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
const r = await page.evaluate(async () => {
  const block = new Uint8Array(1 << 20); crypto.getRandomValues(block.subarray(0, 65536));
  const parts = []; for (let i = 0; i < 256; i++) parts.push(new Blob([block]));
  const file = new File(parts, 'x');
  const out: Record<string, unknown> = {};
  try {
    const reader = file.stream().getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(4 << 20); let total = 0; let reads = 0; const sizes = new Set<number>();
    const t0 = performance.now();
    for (;;) {
      let view = new Uint8Array(buf, 0, buf.byteLength);
      const { value, done } = await reader.read(view);
      if (done) break;
      total += value.byteLength; reads++; sizes.add(value.byteLength); buf = value.buffer;
    }
    out.byob = { total, reads, ms: performance.now() - t0, sizes: [...sizes].slice(0, 5) };
  } catch (e) { out.byobError = String(e); }
  { const reader = file.stream().getReader(); let total = 0; let reads = 0; const t0 = performance.now();
    for (;;) { const { value, done } = await reader.read(); if (done) break; total += value.byteLength; reads++; }
    out.plain = { total, reads, ms: performance.now() - t0 }; }
  const t1 = performance.now(); let t2 = 0;
  for (let at = 0; at < file.size; at += 4 << 20) t2 += (await file.slice(at, at + (4 << 20)).arrayBuffer()).byteLength;
  out.slabs = { total: t2, ms: performance.now() - t1 };
  return out;
});
console.log(JSON.stringify(r));
await browser.close();
