/**
 * Scripts evaluated in the pages of bench/browser.ts, as plain JavaScript
 * strings (the pages load nothing else, and tsx's transpiled functions would
 * need helpers the pages lack).
 *
 * INPUT_SCRIPT, in every sending page: `makeInput(base64, total)` builds the
 * file to share from one random block repeated (Blobs of one Blob: nothing
 * is copied, so a 1 GiB file costs the page no memory), as window.input.
 *
 * BARE_PAGE_SCRIPT, the bare page pair: `bare.connect()` to the raw ws
 * relay, `bare.key(raw)`, `bare.send({...})` and `bare.receive({...})`
 * with the layers the app has, each switchable: AES-256-GCM per chunk (an IV
 * from a counter both sides know, so nothing is copied to prepend it),
 * reading the file in slabs of several chunks read ahead (as client/sdk/
 * sources.ts does), and saving: as one Blob on the receiver (held whole in
 * memory), or streamed to disk as a download through a service worker
 * (BARE_SERVICE_WORKER).
 */
export const INPUT_SCRIPT = `
window.makeInput = (base64, total) => {
  const text = atob(base64);
  const block = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) block[i] = text.charCodeAt(i);
  const blob = new Blob([block]);
  const parts = [];
  let left = total;
  for (; left >= block.length; left -= block.length) parts.push(blob);
  if (left > 0) parts.push(blob.slice(0, left));
  window.input = new File(parts, 'bench-input.bin', { type: 'application/octet-stream' });
  return window.input.size;
};
`;

/**
 * The bare pair's service worker: a streamed download as the app's
 * (client/sw/stream-download.ts) without Workbox: the page announces it on a
 * MessageChannel, the frame's request for /stream-download/<id> is answered
 * with a stream pulled from the page, queued up to 8 MiB ahead; one tiny
 * ArrayBuffer per piece lets V8 free the spent chunks by young collections.
 */
export const BARE_SERVICE_WORKER = `
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
const pending = new Map();
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'stream-download') return;
  pending.set(event.data.id, event.ports[0]);
  event.ports[0].postMessage('ready');
});
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!url.pathname.startsWith('/stream-download/')) return;
  const port = pending.get(url.pathname.slice('/stream-download/'.length));
  let answer;
  port.onmessage = (message) => answer(message.data);
  const body = new ReadableStream({
    async pull(controller) {
      const piece = await new Promise((resolve) => { answer = resolve; port.postMessage('pull'); });
      for (const part of piece.parts) controller.enqueue(new Uint8Array(part));
      void new ArrayBuffer(1);
      if (piece.end) controller.close();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 8 * 1024 * 1024 }));
  event.respondWith(new Response(body, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="bare.bin"' } }));
});
`;

export const BARE_PAGE_SCRIPT = `${INPUT_SCRIPT}
const ivOf = (index) => {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, index);
  return iv;
};
navigator.serviceWorker.register('/sw.js');
window.bare = {
  async controlled() {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    return true;
  },
  /** A download fed by the worker's pulls, ~1 MiB per message (as client/state/stream-download.ts); returns push(plain), end(). */
  async download() {
    const channel = new MessageChannel();
    const id = crypto.randomUUID();
    await new Promise((resolve) => {
      channel.port1.onmessage = resolve;
      navigator.serviceWorker.controller.postMessage({ type: 'stream-download', id }, [channel.port2]);
    });
    const queue = [];
    let ended = false;
    let waiting = false;
    const answer = () => {
      if (!waiting || (queue.length === 0 && !ended)) return;
      const parts = [];
      let bytes = 0;
      while (queue.length > 0 && bytes < 1048576) bytes += (parts[parts.length] = queue.shift()).byteLength;
      waiting = false;
      channel.port1.postMessage({ parts, end: ended && queue.length === 0 }, parts);
    };
    channel.port1.onmessage = () => { waiting = true; answer(); };
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.src = '/stream-download/' + id;
    document.body.append(frame);
    return { push: (plain) => { queue.push(plain); answer(); }, end: () => { ended = true; answer(); } };
  },
  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket('ws://' + location.host + '/relay');
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => { window.ws = ws; resolve(true); };
      ws.onerror = () => reject(new Error('the relay refused the connection'));
    });
  },
  async key(raw) {
    window.key = await crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
    return true;
  },
  async send({ total, chunk, window: limit, aes, read, slab }) {
    const ws = window.ws;
    let inflight = 0;
    let wake;
    ws.onmessage = () => { inflight--; const w = wake; wake = undefined; w?.(); };
    const fixed = new Uint8Array(chunk);
    for (let at = 0; at < chunk; at += 65536) crypto.getRandomValues(fixed.subarray(at, at + 65536));
    const slabs = new Map();
    const slabOf = (i) => {
      if (!slabs.has(i)) slabs.set(i, window.input.slice(i * slab, Math.min(total, (i + 1) * slab)).arrayBuffer().then((b) => new Uint8Array(b)));
      return slabs.get(i);
    };
    let onWire = Promise.resolve();
    for (let at = 0, index = 0; at < total; at += chunk, index++) {
      while (inflight >= limit) await new Promise((resolve) => (wake = resolve));
      inflight++;
      const length = Math.min(chunk, total - at);
      let plain;
      if (read) {
        const s = Math.floor(at / slab);
        for (const known of slabs.keys()) if (known < s) slabs.delete(known);
        const bytes = await slabOf(s);
        if ((s + 1) * slab < total) slabOf(s + 1);
        plain = bytes.subarray(at - s * slab, at - s * slab + length);
      } else plain = fixed.subarray(0, length);
      if (aes) {
        const sealing = crypto.subtle.encrypt({ name: 'AES-GCM', iv: ivOf(index) }, window.key, plain);
        onWire = onWire.then(async () => ws.send(await sealing));
      } else ws.send(plain);
    }
    await onWire;
    while (inflight > 0) await new Promise((resolve) => (wake = resolve));
    return true;
  },
  async receive({ total, aes, save, stream }) {
    const download = stream ? await bare.download() : undefined;
    return new Promise((resolve, reject) => {
      const ws = window.ws;
      const parts = [];
      let got = 0;
      let index = 0;
      let chain = Promise.resolve();
      const take = (plain) => {
        got += plain.byteLength;
        if (save) parts.push(plain);
        download?.push(plain);
        if (got < total) return;
        download?.end();
        if (!save) return resolve(got);
        const blob = new Blob(parts);
        parts.length = 0;
        window.saved = blob;
        resolve(blob.size);
      };
      ws.onmessage = (event) => {
        if (!aes) return take(event.data);
        const opening = crypto.subtle.decrypt({ name: 'AES-GCM', iv: ivOf(index++) }, window.key, event.data);
        chain = chain.then(async () => take(await opening));
        chain.catch(reject);
      };
    });
  },
};
`;
