/**
 * What this device remembers, in localStorage: the display name, the theme,
 * the last session id, and a passphrase only for a session whose member
 * ticked "remember the passphrase on this device". Storage may be disabled
 * (private modes, embedding with partitioned storage): every access is
 * best effort and failures mean "nothing remembered".
 */
const PREFIX = 'sharethings.';

export type ThemeChoice = 'auto' | 'light' | 'dark';

function read(key: string): string | undefined {
  try {
    return globalThis.localStorage?.getItem(PREFIX + key) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value === undefined) globalThis.localStorage?.removeItem(PREFIX + key);
    else globalThis.localStorage?.setItem(PREFIX + key, value);
  } catch {
    // Storage disabled or full: the preference is simply not kept.
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
  /** Only ever set after the person opted in for this session. */
  passphraseFor(sessionId: string): string | undefined {
    return read(`passphrase.${sessionId}`);
  },
  rememberPassphrase(sessionId: string, passphrase: string | undefined): void {
    write(`passphrase.${sessionId}`, passphrase);
  },
};
