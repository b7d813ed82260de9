import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { defaultServer } from '../state/build-info.ts';
import { fetchDeviceLinks, type DeviceLinks } from '../state/device-links.ts';
import { PageInput } from '../state/page-input.ts';
import { PendingShare } from '../state/pending-share.ts';
import { preferences } from '../state/preferences.ts';
import type { ThemeChoice } from '../state/preferences.ts';
import { ServerReachability } from '../state/server-reachability.ts';
import { SessionController } from '../state/session-controller.ts';
import { forgetLinkPassphrase, parseLink } from '../state/share-link.ts';
import type { ConnectionState, JoinRequest } from '../state/view-types.ts';
import { icons } from '../styles/icons.ts';
import { controls } from '../styles/tokens.ts';
import { appStyles } from './share-app.styles.ts';
import type { ItemActionEvent } from './share-content-item.ts';
import type { SessionRequestEvent } from './share-join-form.ts';
import './share-banner.ts';
import './share-composer.ts';
import './share-connection-status.ts';
import './share-drop-overlay.ts';
import './share-fingerprint.ts';
import './share-invite.ts';
import './share-member-list.ts';
import './share-start.ts';
import './share-theme-toggle.ts';
import './share-timeline.ts';
import './share-toast.ts';

/** This device joined (or created) a session. */
export class SessionJoinedEvent extends Event {
  static readonly eventName = 'session-joined';
  constructor(readonly sessionId: string, readonly fingerprint: string, readonly created: boolean) {
    super(SessionJoinedEvent.eventName, { bubbles: true, composed: true });
  }
}

/** This device left the session. */
export class SessionLeftEvent extends Event {
  static readonly eventName = 'session-left';
  constructor(readonly sessionId: string) {
    super(SessionLeftEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The connection state changed. */
export class ConnectionChangeEvent extends Event {
  static readonly eventName = 'connection-change';
  constructor(readonly state: ConnectionState) {
    super(ConnectionChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * The whole app: start or join a session, then share. The only element that
 * owns a connection (through its SessionController); everything inside is
 * a view fed with properties.
 *
 * @fires session-joined - SessionJoinedEvent, after joining or creating a session.
 * @fires session-left - SessionLeftEvent, after leaving.
 * @fires connection-change - ConnectionChangeEvent, whenever the connection state changes.
 * @csspart header - The top bar.
 * @csspart main - The composer and the timeline.
 * @csspart sidebar - Members, invitation and key fingerprint.
 * @csspart start - The start screen.
 * @slot intro - Replaces the heading and text of the start screen.
 */
@customElement('share-app')
export class ShareApp extends LitElement {
  static override styles = [controls, appStyles];

  /** The ShareThings server, e.g. "https://share.example.org". Default: where this script was loaded from. */
  @property() accessor server = '';
  /** "auto" follows the system; "light" or "dark" force one. The toggle's choice is remembered. */
  @property({ reflect: true }) accessor theme: ThemeChoice = preferences.theme;
  /** "page": paste and drop anywhere on the page share; "self": only within this element. */
  @property() accessor scope: 'page' | 'self' = 'page';
  /**
   * Set on the app's own page only: this page receives what other apps share
   * with the installed app (`?share=`, from the service worker) and passes
   * such items between its tabs. Never set it on a page that embeds the app.
   */
  @property({ type: Boolean, attribute: 'share-target' }) accessor shareTarget = false;

  readonly #session = new SessionController(this, { server: () => this.server || defaultServer() });
  readonly #input = new PageInput(this, {
    scope: () => this.scope,
    enabled: () => this.#session.session !== undefined,
    share: ({ files, text }) => (files.length ? this.#session.shareFiles(files) : this.#session.shareText(text)),
  });
  readonly #pendingShare = new PendingShare(this, {
    enabled: () => this.shareTarget,
    sessionId: () => this.#session.session?.sessionId,
    share: ({ text, files }) => {
      if (text !== undefined) this.#session.shareText(text);
      if (files.length) this.#session.shareFiles(files);
    },
  });
  readonly #reachability = new ServerReachability(this, {
    server: () => this.server || defaultServer(),
    active: () => this.#session.session === undefined,
  });
  #prefill = { sessionId: preferences.lastSessionId, passphrase: '', mode: 'create' as 'create' | 'join' };
  #lastConnection: ConnectionState = 'idle';
  /** The invitation starts open where there is room for it beside the timeline. */
  readonly #wide = matchMedia('(min-width: 960px)').matches;
  /** Where other devices reach this server ("Add a device"), asked once a session is open. */
  #deviceLinks: DeviceLinks | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.#fromAddress);
    this.#fromAddress();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#fromAddress);
  }

  override render() {
    if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) return this.#insecure();
    const s = this.#session;
    return html`${s.session ? this.#sessionView() : this.#startView()}
      <share-drop-overlay ?active=${this.#input.dragging && !!s.session}></share-drop-overlay>
      <share-toast .message=${s.notice?.text ?? ''} .tone=${s.notice?.tone ?? 'info'} .serial=${s.notice?.id ?? 0}
        @toast-dismiss=${() => (s.notice = undefined)}></share-toast>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('scope') && changed.get('scope') !== undefined) this.#input.rebind();
    const state = this.#session.connection;
    if (state !== this.#lastConnection) {
      this.#lastConnection = state;
      this.dispatchEvent(new ConnectionChangeEvent(state));
    }
  }

  /** Pre-fills from a `#session=...` link or the last session; joins at once when everything is known. */
  #fromAddress = (): void => {
    if (this.#session.connection !== 'idle') return;
    const link = parseLink(location.hash);
    // After a reload, the session this tab was in: offered to rejoin, not a new one.
    const inTab = preferences.tabSessionId;
    const sessionId = link?.sessionId ?? inTab ?? preferences.lastSessionId;
    const remembered = sessionId ? preferences.passphraseFor(sessionId) : undefined;
    const passphrase = link?.passphrase ?? remembered ?? '';
    this.#prefill = { sessionId, passphrase, mode: link || passphrase || inTab ? 'join' : 'create' };
    this.requestUpdate();
    if (sessionId && passphrase && preferences.name) {
      void this.#join({ mode: 'join', sessionId, passphrase, name: preferences.name, remember: remembered !== undefined });
    }
  };

  #startView() {
    const s = this.#session;
    return html`<header class="start-top">${this.#brand()}<share-theme-toggle .theme=${this.theme} @theme-change=${this.#theme}></share-theme-toggle></header>${this.#banners()}
      <share-start role="main" part="start" exportparts="card, intro" .mode=${this.#prefill.mode} .name=${preferences.name}
        .sessionId=${this.#prefill.sessionId} .passphrase=${this.#prefill.passphrase}
        .remember=${!!this.#prefill.passphrase && !!preferences.passphraseFor(this.#prefill.sessionId)}
        .rejoin=${this.#prefill.passphrase ? '' : preferences.tabSessionId ?? ''}
        .busy=${s.connection === 'joining'} .error=${s.joinError} @session-request=${this.#onRequest}>
        ${this.querySelector(':scope > [slot=intro]') ? html`<slot name="intro" slot="intro"></slot>` : nothing}
      </share-start>`;
  }

  #sessionView() {
    const s = this.#session;
    const session = s.session!;
    const appUrl = new URL('/', this.server || defaultServer()).href;
    return html`<header part="header" class="topbar">
        ${this.#brand()}
        <h1 class="session-id" title="Session id"><span class="visually-hidden">Session </span>${session.sessionId}</h1>
        <span class="grow"></span>
        <share-connection-status .state=${s.connection} .attempt=${s.reconnectAttempt}></share-connection-status>
        ${s.connection === 'rejoin-failed'
          ? html`<button type="button" @click=${() => s.retryJoin()}>${icons.refresh}Rejoin</button>`
          : nothing}
        <share-theme-toggle .theme=${this.theme} @theme-change=${this.#theme}></share-theme-toggle>
        <button type="button" class="ghost leave" @click=${this.#leave} aria-label="Leave session" title="Leave session">
          ${icons.logout}<span class="label">Leave</span>
        </button>
      </header>
      <div class="layout">
        <main class="main" part="main" aria-label="Shared items"
          @share-text=${(e: { text: string }) => s.shareText(e.text)}
          @share-files=${(e: { files: readonly File[] }) => s.shareFiles(e.files)}
          @item-action=${this.#onItemAction} @load-more=${() => s.loadMore()} @clear-all=${() => s.actions.clearAll()}>
          <share-composer></share-composer>
          <share-timeline .items=${s.timeline.items} .capabilities=${s.capabilities} ?has-more=${s.hasMore}
            ?loading=${s.loadingMore}></share-timeline>
        </main>
        <aside class="side" part="sidebar" aria-label="Session">
          <section class="card members">
            <h2>${icons.users}Here now <span class="count">${s.members.length}</span></h2>
            <share-member-list .members=${s.members} self-id=${s.selfId ?? ''}></share-member-list>
            <share-fingerprint value=${session.fingerprint}></share-fingerprint>
          </section>
          <details class="card invite" ?open=${this.#wide}>
            <summary><h2>${icons.qr}Add a device</h2></summary>
            <share-invite session-id=${session.sessionId} passphrase=${session.passphrase} app-url=${appUrl}
              .links=${this.#deviceLinks}></share-invite>
          </details>
        </aside>
      </div>`;
  }

  /** Above the start card: whether the server can be reached, and items shared from another app. */
  #banners() {
    const reach = this.#reachability.state;
    const trouble = reach === 'offline'
      ? 'You are offline. Sessions can be started or joined once this device is back online.'
      : reach === 'unreachable'
        ? 'The server cannot be reached: you may be offline, or it is down. This page will notice when it is back.'
        : '';
    return html`<share-banner tone="warning" .message=${trouble}></share-banner>
      <share-banner .message=${this.#pendingShare.message}></share-banner>`;
  }

  #brand() {
    return html`<span class="brand">${icons.logo}<span>ShareThings</span></span>`;
  }

  #insecure() {
    return html`<div class="insecure" role="alert">
      <h1>This page needs a secure connection</h1>
      <p>Browsers only allow the encryption ShareThings relies on over HTTPS (or on localhost). Open this app through an
        <code>https://</code> address.</p>
    </div>`;
  }

  async #join(request: JoinRequest): Promise<void> {
    const joined = await this.#session.join(request);
    if (!joined) {
      this.#prefill = { sessionId: request.sessionId, passphrase: '', mode: request.mode };
      return;
    }
    const session = this.#session.session!;
    forgetLinkPassphrase(session.sessionId);
    if (!this.#deviceLinks) {
      void fetchDeviceLinks(this.server || defaultServer()).then((links) => {
        this.#deviceLinks = links;
        this.requestUpdate();
      });
    }
    this.dispatchEvent(new SessionJoinedEvent(session.sessionId, session.fingerprint, session.created));
    await this.updateComplete;
    // The session view starts at its top, not at the start page's scroll position.
    globalThis.scrollTo?.(0, 0);
    // Not on touch screens, where focusing would pop up the keyboard over the session.
    if (matchMedia('(pointer: fine)').matches) this.renderRoot.querySelector('share-composer')?.focus();
  }

  #onRequest = (event: SessionRequestEvent): void => {
    this.#prefill = { ...this.#prefill, mode: event.request.mode };
    void this.#join(event.request);
  };

  #onItemAction = (event: ItemActionEvent): void => {
    const actions = this.#session.actions;
    const { key } = event;
    switch (event.action) {
      case 'save': return void actions.save(key);
      case 'copy': return void actions.copy(key);
      case 'cancel': return actions.cancel(key);
      case 'remove': return void actions.remove(key);
      case 'pin': return void actions.setPinned(key, true);
      case 'unpin': return void actions.setPinned(key, false);
      case 'rename': return void actions.rename(key, event.name ?? '');
    }
  };

  #leave = async (): Promise<void> => {
    const sessionId = this.#session.session?.sessionId ?? '';
    this.#prefill = { sessionId, passphrase: '', mode: 'join' };
    preferences.rememberPassphrase(sessionId, undefined); // leaving on purpose forgets it
    preferences.tabSessionId = undefined;
    preferences.forgetOwnItems(sessionId);
    await this.#session.leave();
    this.dispatchEvent(new SessionLeftEvent(sessionId));
  };

  #theme = (event: { theme: ThemeChoice }): void => {
    this.theme = event.theme;
    preferences.theme = event.theme;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'share-app': ShareApp;
  }
  interface HTMLElementEventMap {
    'session-joined': SessionJoinedEvent;
    'session-left': SessionLeftEvent;
    'connection-change': ConnectionChangeEvent;
  }
}
