/**
 * The script bench/browser.ts evaluates in the app's pages to use it as a
 * person does, through its elements (shadow roots searched in depth):
 * create or join a session, drop a file, press Save. A plain JavaScript
 * string, like bare-page.ts's. Evaluated before joining, so the session
 * sees no save dialog from the start.
 */
import { INPUT_SCRIPT } from './bare-page.ts';

export const APP_PAGE_SCRIPT = `${INPUT_SCRIPT}
// A phone-like browser: no save dialog (headless Chromium could not show one), so B saves as a download.
Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true });
window.bench = {
  deepAll(selector, root = document, out = []) {
    out.push(...root.querySelectorAll(selector));
    for (const element of root.querySelectorAll('*')) if (element.shadowRoot) bench.deepAll(selector, element.shadowRoot, out);
    return out;
  },
  deep(selector) {
    return bench.deepAll(selector)[0];
  },
  async until(test, ms = 60000, every = 50) {
    const end = Date.now() + ms;
    for (;;) {
      const value = test();
      if (value) return value;
      if (Date.now() > end) throw new Error('timed out waiting for ' + test);
      await new Promise((resolve) => setTimeout(resolve, every));
    }
  },
  fill(input, value) {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  },
  connected() {
    return (bench.deep('share-connection-status')?.shadowRoot?.textContent ?? '').includes('Connected');
  },
  async controlled() {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    return true;
  },
  async create(name) {
    const form = await bench.until(() => bench.deep('share-join-form[mode=create]'));
    await form.updateComplete;
    const codes = form.shadowRoot.querySelectorAll('code');
    const credentials = { sessionId: codes[0].textContent.trim(), passphrase: codes[1].textContent.trim() };
    bench.fill(form.shadowRoot.querySelector('#name'), name);
    form.shadowRoot.querySelector('button[part=submit]').click();
    await bench.until(bench.connected);
    return credentials;
  },
  async join(credentials, name) {
    const tab = await bench.until(() => bench.deepAll('[role=tab]').find((t) => t.textContent.trim() === 'Join'));
    tab.click();
    const form = await bench.until(() => bench.deep('share-join-form[mode=join]'));
    await form.updateComplete;
    const field = (selector) => form.shadowRoot.querySelector(selector);
    bench.fill(field('#session'), credentials.sessionId);
    bench.fill(field('#passphrase'), credentials.passphrase);
    bench.fill(field('#name'), name);
    field('button[part=submit]').click();
    await bench.until(bench.connected);
    return true;
  },
  drop() {
    const data = new DataTransfer();
    data.items.add(window.input);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    return true;
  },
  async save(name) {
    // Looked for every 5 ms: the transfer is timed from the drop, and the bare pair's receiver is waiting already.
    const button = await bench.until(() => {
      for (const item of bench.deepAll('share-content-item')) {
        if ((item.shadowRoot?.textContent ?? '').includes(name)) return item.shadowRoot.querySelector('button[aria-label=Save]');
      }
      return undefined;
    }, 60000, 5);
    button.click();
    return true;
  },
};
`;
