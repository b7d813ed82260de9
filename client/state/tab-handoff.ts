/**
 * Hands items shared from another app to a tab of this app that is already
 * in a session, over a BroadcastChannel (File objects clone through it; the
 * channel never leaves this browser profile). Two steps, so that exactly one
 * tab takes them: "who is in a session?", then the items to the first tab
 * that answered, which confirms with its session id once it has shared them.
 */
import type { SharedItems } from './shared-items.ts';

type HandoffMessage =
  | { type: 'who-is-in-session'; from: string }
  | { type: 'in-session'; from: string; to: string; sessionId: string }
  | { type: 'take'; from: string; to: string; items: SharedItems }
  | { type: 'taken'; from: string; to: string; sessionId: string | undefined };

const CHANNEL = 'sharethings-share-handoff';
/** Other tabs answer within milliseconds; one frozen in the background never does, and is not waited for. */
const ANSWER_TIMEOUT_MS = 1000;

export interface HandoffHooks {
  /** The session this tab is in, if any. */
  sessionId(): string | undefined;
  share(items: SharedItems): void;
}

export class TabHandoff {
  readonly #id = crypto.randomUUID();
  #channel: BroadcastChannel | undefined;

  constructor(private readonly hooks: HandoffHooks) {}

  /** Starts answering other tabs (and makes offer() possible). */
  open(): void {
    if (this.#channel || typeof BroadcastChannel === 'undefined') return;
    this.#channel = new BroadcastChannel(CHANNEL);
    this.#channel.addEventListener('message', this.#answer);
  }

  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }

  /** Gives the items to another tab in a session: resolves with that session's id, or undefined when none took them. */
  async offer(items: SharedItems): Promise<string | undefined> {
    const found = await this.#ask({ type: 'who-is-in-session', from: this.#id }, 'in-session');
    if (!found) return undefined;
    const taken = await this.#ask({ type: 'take', from: this.#id, to: found.from, items }, 'taken');
    return taken?.sessionId;
  }

  /** Posts a message and resolves with the first reply of `type` addressed to this tab, or undefined in time. */
  #ask<T extends HandoffMessage['type']>(message: HandoffMessage, type: T): Promise<Extract<HandoffMessage, { type: T }> | undefined> {
    const channel = this.#channel;
    if (!channel) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (reply: Extract<HandoffMessage, { type: T }> | undefined) => {
        clearTimeout(timer);
        channel.removeEventListener('message', listen);
        resolve(reply);
      };
      const listen = (event: MessageEvent<HandoffMessage>) => {
        const reply = event.data;
        if (reply.type === type && 'to' in reply && reply.to === this.#id) done(reply as Extract<HandoffMessage, { type: T }>);
      };
      const timer = setTimeout(() => done(undefined), ANSWER_TIMEOUT_MS);
      channel.addEventListener('message', listen);
      channel.postMessage(message);
    });
  }

  #answer = (event: MessageEvent<HandoffMessage>): void => {
    const message = event.data;
    const sessionId = this.hooks.sessionId();
    let reply: HandoffMessage | undefined;
    if (message.type === 'who-is-in-session' && sessionId) {
      reply = { type: 'in-session', from: this.#id, to: message.from, sessionId };
    } else if (message.type === 'take' && message.to === this.#id) {
      // Left the session since answering: say so, and the offering tab keeps them.
      if (sessionId) this.hooks.share(message.items);
      reply = { type: 'taken', from: this.#id, to: message.from, sessionId };
    }
    if (reply) this.#channel?.postMessage(reply);
  };
}
