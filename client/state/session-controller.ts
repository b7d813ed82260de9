/**
 * The session as the app element sees it: joining and leaving, the
 * connection, who is here, and the timeline. The only place that talks to
 * the SDK; the elements get plain data from here and call its methods.
 * A Lit ReactiveController: every change asks the host to render.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ShareClient } from '../sdk/index.ts';
import { browserTransports } from '../sdk/browser-websocket.ts';
import type { ClientInfo, JoinInfo, Progress, ShareError } from '../sdk/index.ts';
import { deriveKeysWorkerUrl } from './build-info.ts';
import { createDeriveKeys } from './derive-keys.ts';
import { Incoming } from './incoming.ts';
import { ItemActions } from './item-actions.ts';
import { errorText, joinErrorText } from './messages.ts';
import { Outbox } from './outbox.ts';
import { preferences } from './preferences.ts';
import { canStreamToDisk } from './save-file.ts';
import { canStreamDownload } from './stream-download.ts';
import { Timeline } from './timeline.ts';
import { NO_CAPABILITIES } from './timeline-item.ts';
import type { ItemCapabilities } from './timeline-item.ts';
import { TransferRate } from './transfer-rate.ts';
import type { ConnectionState, JoinRequest, Notice, Session } from './view-types.ts';

export type { JoinRequest, Notice, Session };

export interface SessionHooks {
  /** The server's origin, read at each join. */
  server(): string;
}

const HISTORY_PAGE = 50;
/**
 * Each progress event re-renders the timeline: 4 per second per transfer,
 * whatever the chunk rate (the SDK's default is 10), on both ends.
 */
const PROGRESS_INTERVAL_MS = 250;
/** Every item operation the SDK offers, once in a session. */
const SESSION_CAPABILITIES = { remove: true, pin: true, rename: true, clear: true };
let noticeId = 0;

export class SessionController implements ReactiveController {
  connection: ConnectionState = 'idle';
  /** Set while reconnecting, when the SDK reports attempts. */
  reconnectAttempt: number | undefined;
  session: Session | undefined;
  members: ClientInfo[] = [];
  selfId: string | undefined;
  joinError = '';
  notice: Notice | undefined;
  hasMore = false;
  loadingMore = false;
  capabilities: ItemCapabilities = NO_CAPABILITIES;

  readonly timeline = new Timeline(() => this.#changed());
  /** Items this device shared in the current session, from earlier page loads too. */
  #ownItems = new Set<string>();
  readonly #incoming = new Incoming(this.timeline, (contentId) => this.#ownItems.has(contentId));
  readonly #outbox = new Outbox(this.timeline, () => this.#client, () => this.connection === 'connected', (contentId) => {
    this.#ownItems.add(contentId);
    if (this.session) preferences.addOwnItem(this.session.sessionId, contentId);
  });
  readonly actions = new ItemActions({
    timeline: this.timeline,
    incoming: this.#incoming,
    outbox: this.#outbox,
    client: () => this.#client,
    notify: (text, tone) => this.notify(text, tone),
  });
  readonly #rates = new Map<string, TransferRate>();
  readonly #deriveKeys = createDeriveKeys(deriveKeysWorkerUrl());
  #client: ShareClient | undefined;
  #oldest: string | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: SessionHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('online', this.#onNetwork);
    addEventListener('offline', this.#onNetwork);
  }

  hostDisconnected(): void {
    removeEventListener('online', this.#onNetwork);
    removeEventListener('offline', this.#onNetwork);
  }

  async join(request: JoinRequest): Promise<boolean> {
    if (this.connection === 'joining') return false;
    this.#close();
    this.#reset();
    this.connection = 'joining';
    this.#changed();
    let client: ShareClient;
    try {
      client = new ShareClient({
        url: this.hooks.server(),
        clientName: request.name,
        deriveKeys: this.#deriveKeys,
        progressIntervalMs: PROGRESS_INTERVAL_MS,
        socketOptions: { transports: browserTransports },
      });
    } catch (error) {
      return this.#joinFailed(error);
    }
    this.#client = client;
    this.#wire(client);
    try {
      // Joining by id never creates: a typo would otherwise open a new, empty session.
      const info = await client.join(request.sessionId, request.passphrase, { create: request.mode !== 'join' });
      if (this.#client !== client) return false;
      const { sessionId, passphrase, name, remember } = request;
      this.session = { sessionId, passphrase, name, fingerprint: info.fingerprint, created: info.created };
      preferences.name = name;
      preferences.lastSessionId = sessionId;
      preferences.tabSessionId = sessionId;
      this.#ownItems = preferences.ownItems(sessionId);
      preferences.rememberPassphrase(sessionId, remember ? passphrase : undefined);
      this.capabilities = { ...SESSION_CAPABILITIES, streamToDisk: canStreamToDisk() || canStreamDownload() };
      this.#joined(info);
      return true;
    } catch (error) {
      if (this.#client !== client) return false; // given up on already (connection-error)
      this.#close();
      return this.#joinFailed(error);
    }
  }

  /** After the session refused a rejoin: try again with the same passphrase. */
  retryJoin(): void {
    const { session } = this;
    const client = this.#client;
    if (!session || !client) return;
    this.connection = 'reconnecting';
    this.#changed();
    client.join(session.sessionId, session.passphrase).then(
      (info) => this.#joined(info),
      (error: unknown) => this.#rejoinFailed(error, true),
    );
  }

  async leave(): Promise<void> {
    const client = this.#client;
    this.#client = undefined; // its events are ignored from now on
    this.#reset();
    this.#changed();
    await client?.leave().catch(() => {});
    client?.close();
  }

  shareText(text: string): void {
    if (this.session) this.#outbox.shareText(text, this.session.name);
  }

  shareFiles(files: readonly File[]): void {
    if (this.session) for (const file of files) void this.#outbox.shareFile(file, this.session.name);
  }

  async loadMore(): Promise<void> {
    const client = this.#client;
    if (!client || !this.hasMore || this.loadingMore) return;
    this.loadingMore = true;
    this.#changed();
    try {
      this.#addHistory(await client.history({ ...(this.#oldest ? { before: this.#oldest } : {}), limit: HISTORY_PAGE }), true);
    } catch (error) {
      this.notify(errorText(error), 'error');
    } finally {
      this.loadingMore = false;
      this.#changed();
    }
  }

  notify(text: string, tone: Notice['tone'] = 'info'): void {
    this.notice = { id: ++noticeId, text, tone };
    this.#changed();
  }

  #joined(info: JoinInfo): void {
    this.members = info.clients;
    this.selfId = this.#client?.id;
    this.connection = 'connected';
    this.reconnectAttempt = undefined;
    // A rejoin's first page brings what was missed; the paging cursor stays where scrolling left it.
    this.#addHistory(info.history, this.#oldest === undefined);
    this.#changed();
    this.#outbox.flush();
  }

  #addHistory(page: JoinInfo['history'], moveCursor: boolean): void {
    const last = this.#incoming.addPage(page);
    if (!moveCursor) return;
    this.#oldest = last ?? this.#oldest;
    this.hasMore = page.hasMore;
  }

  #wire(client: ShareClient): void {
    const live = () => this.#client === client;
    client.on('content', (item) => live() && this.#incoming.add(item));
    client.on('progress', (progress) => live() && this.#progress(progress));
    client.on('client-joined', (member) => {
      if (!live()) return;
      this.members = [...this.members.filter((m) => m.id !== member.id), member];
      this.#changed();
    });
    client.on('client-left', ({ id }) => {
      if (!live()) return;
      this.members = this.members.filter((m) => m.id !== id);
      this.#changed();
    });
    client.on('content-removed', ({ contentId }) => live() && this.actions.removedElsewhere(contentId));
    client.on('content-cleared', () => live() && this.actions.clearedElsewhere());
    client.on('disconnect', () => {
      if (!live() || this.connection === 'idle' || this.connection === 'joining') return;
      this.connection = navigator.onLine === false ? 'offline' : 'reconnecting';
      this.#changed();
    });
    client.on('rejoin', (info) => live() && this.#joined(info));
    client.on('error', (error) => live() && this.#onError(error));
    // While joining, a refused or failed connection is the answer: say so now, not after the join's timeout.
    const refused = (error: unknown) => {
      if (!live() || this.connection !== 'joining') return;
      this.#close();
      this.#joinFailed(error);
    };
    client.on('connection-error', refused);
    client.on('connection-timeout', () => refused({ code: 'UNAVAILABLE' }));
    client.on('reconnect-attempt', ({ attempt }) => {
      if (!live()) return;
      this.reconnectAttempt = attempt;
      this.#changed();
    });
    client.on('content-updated', (update) => live() && this.actions.updatedElsewhere(update));
    client.on('session-rejoin-failed', ({ error }) => live() && this.#rejoinFailed(error, true));
  }

  #progress({ contentId, direction, bytes, total }: Progress): void {
    const key = this.timeline.keyOf(contentId);
    const item = key ? this.timeline.get(key) : undefined;
    if (!key || !item || (item.status !== 'sending' && item.status !== 'receiving')) return;
    let rate = this.#rates.get(key);
    if (!rate) this.#rates.set(key, (rate = new TransferRate()));
    this.timeline.update(key, { progress: rate.update(direction, bytes, total) });
    if (bytes >= total) this.#rates.delete(key);
  }

  #onError(error: ShareError): void {
    if (error.contentId || this.connection === 'rejoin-failed') return; // shown on the item, or already said
    if (this.connection === 'reconnecting' && this.#client?.connected) this.#rejoinFailed(error);
    else this.notify(errorText(error), 'error');
  }

  /** `final`: the SDK gave up; otherwise an UNAVAILABLE is a connection lost again, retried on the next one. */
  #rejoinFailed(error: unknown, final = false): void {
    const code = (error as { code?: string } | undefined)?.code;
    if (code === 'UNAVAILABLE' && !final) return;
    this.connection = 'rejoin-failed';
    this.notify(`Could not rejoin the session. ${joinErrorText(error)}`, 'error');
  }

  #joinFailed(error: unknown): false {
    this.connection = 'idle';
    this.joinError = joinErrorText(error);
    this.#changed();
    return false;
  }

  #onNetwork = (): void => {
    if (this.connection === 'reconnecting' && navigator.onLine === false) this.connection = 'offline';
    else if (this.connection === 'offline' && navigator.onLine) this.connection = 'reconnecting';
    else return;
    this.#changed();
  };

  #close(): void {
    this.#client?.close();
    this.#client = undefined;
  }

  #reset(): void {
    this.connection = 'idle';
    this.session = undefined;
    this.notice = undefined; // a notice about the last session means nothing on the start page
    this.members = [];
    this.selfId = undefined;
    this.reconnectAttempt = undefined;
    this.joinError = '';
    this.hasMore = false;
    this.#oldest = undefined;
    this.capabilities = NO_CAPABILITIES;
    this.#rates.clear();
    this.#incoming.clear();
    this.#outbox.clear();
    this.timeline.clear();
  }

  #changed(): void {
    this.host.requestUpdate();
  }
}
