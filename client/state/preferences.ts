/**
 * What this device remembers, in localStorage: the display name, the theme,
 * the last session id, and a passphrase only for a session whose member
 * ticked "remember the passphrase on this device", and the ids of the items
 * this device shared (to show them as its own). In sessionStorage (this
 * tab only, kept across a reload): the id of the session the tab is in, never
 * its passphrase. Storage may be disabled
 * (private modes, embedding with partitioned storage): every access is
 * best effort and failures mean "nothing remembered".
 */
const PREFIX = 'sharethings.';
const OWN_ITEMS_KEPT = 1000;

export type ThemeChoice = 'auto' | 'light' | 'dark';

function read(key: string, storage = globalThis.localStorage): string | undefined {
  try {
    return storage?.getItem(PREFIX + key) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string | undefined, storage = globalThis.localStorage): void {
  try {
    if (value === undefined) storage?.removeItem(PREFIX + key);
    else storage?.setItem(PREFIX + key, value);
  } catch {
    // Storage disabled or full: the preference is simply not kept.
  }
}

/** Read lazily: touching sessionStorage can throw where storage is blocked. */
function tabStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

export const preferences = {
  get name(): string {
    return read('name') ?? '';
  },
  set name(value: string) {
    write('name', value || undefined);
  },
  get theme(): ThemeChoice {
    const value = read('theme');
    return value === 'light' || value === 'dark' ? value : 'auto';
  },
  set theme(value: ThemeChoice) {
    write('theme', value === 'auto' ? undefined : value);
  },
  get lastSessionId(): string {
    return read('last-session') ?? '';
  },
  set lastSessionId(value: string) {
    write('last-session', value || undefined);
  },
  /** The session this tab is in: a reload offers to rejoin it (passphrase asked again unless remembered). */
  get tabSessionId(): string | undefined {
    return read('tab-session', tabStorage());
  },
  set tabSessionId(value: string | undefined) {
    write('tab-session', value || undefined, tabStorage());
  },
  /**
   * Ids of the items this device shared in a session (the server knows these
   * ids too; nothing secret): after a reload, history shows them as "You".
   * The newest OWN_ITEMS_KEPT per session are kept.
   */
  ownItems(sessionId: string): Set<string> {
    try {
      const list: unknown = JSON.parse(read(`own-items.${sessionId}`) ?? '[]');
      return new Set(Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : []);
    } catch {
      return new Set();
    }
  },
  addOwnItem(sessionId: string, contentId: string): void {
    const ids = [...this.ownItems(sessionId), contentId].slice(-OWN_ITEMS_KEPT);
    write(`own-items.${sessionId}`, JSON.stringify(ids));
  },
  forgetOwnItems(sessionId: string): void {
    write(`own-items.${sessionId}`, undefined);
  },
  /** Only ever set after the person opted in for this session. */
  passphraseFor(sessionId: string): string | undefined {
    return read(`passphrase.${sessionId}`);
  },
  rememberPassphrase(sessionId: string, passphrase: string | undefined): void {
    write(`passphrase.${sessionId}`, passphrase);
  },
};
