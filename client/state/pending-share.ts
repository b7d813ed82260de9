/**
 * What another app shared with the installed app, from the moment the page
 * opens with `?share=<id>` until it reaches a session: taken from the service
 * worker, then handed to another tab of the app that is in a session, or
 * else held here, in page memory only, and shared as soon as this page is in
 * one (at once when it rejoins by itself). While in a session, this page
 * takes other tabs' items the same way.
 * A Lit ReactiveController: its message changes ask the host to render.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describeSharedItems, isEmpty, type SharedItems } from './shared-items.ts';
import { TabHandoff } from './tab-handoff.ts';
import { takeSharedItems, takeShareIdFromAddress } from './take-share.ts';

export interface PendingShareHooks {
  /** Only the app's own page is the share target; embedded elements never take part. */
  enabled(): boolean;
  /** The session this page is in, if any. */
  sessionId(): string | undefined;
  share(items: SharedItems): void;
}

export class PendingShare implements ReactiveController {
  /** What the start page says about shared items: waiting, sent elsewhere, or lost. */
  message = '';
  #items: SharedItems | undefined;
  readonly #handoff: TabHandoff;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: PendingShareHooks,
  ) {
    this.#handoff = new TabHandoff({ sessionId: () => hooks.sessionId(), share: (items) => hooks.share(items) });
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.hooks.enabled()) return;
    this.#handoff.open();
    const id = takeShareIdFromAddress();
    if (id !== undefined) void this.#receive(id);
  }

  hostDisconnected(): void {
    this.#handoff.close();
  }

  /** Every render may be the one after joining: the waiting items go in then. */
  hostUpdated(): void {
    const items = this.#items;
    if (!items || this.hooks.sessionId() === undefined) return;
    this.#items = undefined;
    this.message = '';
    this.hooks.share(items);
  }

  async #receive(id: string): Promise<void> {
    const items = await takeSharedItems(id);
    if (!items) this.message = 'What another app shared is no longer here. Please share it again.';
    else if (!isEmpty(items)) await this.#place(items);
    this.host.requestUpdate();
  }

  async #place(items: SharedItems): Promise<void> {
    // Already in a session here (rejoined by itself): they go in on the next render.
    const elsewhere = this.hooks.sessionId() === undefined ? await this.#handoff.offer(items) : undefined;
    if (elsewhere !== undefined) {
      this.message = `Sent to session ${elsewhere} in your other window.`;
      return;
    }
    this.#items = items;
    const them = (items.text === undefined ? 0 : 1) + items.files.length === 1 ? 'it' : 'them';
    this.message = `${describeSharedItems(items)} shared from another app: join a session to send ${them}.`;
  }
}
