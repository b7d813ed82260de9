/**
 * What another device needs to join: the session id, the passphrase (when
 * this command made it up), a join link and, on a terminal or with --qr, the
 * link as a QR code to scan with a phone.
 */
import QRCode from 'qrcode';
import type { JoinInfo } from '../sdk/index.ts';
import { sessionLink } from '../state/share-link.ts';
import type { Output } from './output.ts';

export interface SessionInfo {
  server: string;
  sessionId: string;
  /** Shown only when this command generated it: a passphrase the person typed is theirs already. */
  newPassphrase: string | undefined;
  /** The passphrase to put in the link (--link-with-passphrase), else undefined. */
  linkPassphrase: string | undefined;
  join: JoinInfo;
  qr: boolean;
}

export async function printSession(output: Output, info: SessionInfo): Promise<void> {
  const link = sessionLink(`${info.server}/`, { sessionId: info.sessionId, ...(info.linkPassphrase ? { passphrase: info.linkPassphrase } : {}) });
  output.event('session', {
    server: info.server,
    sessionId: info.sessionId,
    ...(info.newPassphrase ? { passphrase: info.newPassphrase } : {}),
    link,
    created: info.join.created,
    fingerprint: info.join.fingerprint,
    members: info.join.clients.length,
  });
  output.say(`Session:     ${info.sessionId}${info.join.created ? ' (new)' : ''}`);
  if (info.newPassphrase) output.say(`Passphrase:  ${info.newPassphrase}`);
  output.say(`Link:        ${link}`);
  output.say(`Fingerprint: ${info.join.fingerprint} (the same on every device means the same key)`);
  if (info.qr && !output.json && !output.quiet) {
    const code = await QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
    output.say(code.trimEnd());
  }
  if (info.newPassphrase && !info.linkPassphrase) output.say('The link does not hold the passphrase: give it separately (or use --link-with-passphrase).');
}
