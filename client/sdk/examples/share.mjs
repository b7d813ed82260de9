// Shares a text, and a file if one is named, with everyone in a session, then exits.
//   node share.mjs <server> <session> <passphrase> <text> [file]
// e.g. with `make run`: node share.mjs http://localhost:3000 my-session 'the passphrase' 'Hello' ./photo.jpg
// client/sdk/package.test.ts runs this very file against the installed package.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { ShareClient } from 'sharethings/sdk';

const [url, sessionId, passphrase, text, file] = process.argv.slice(2);
if (!url || !sessionId || !passphrase || text === undefined) {
  console.error('usage: node share.mjs <server> <session> <passphrase> <text> [file]');
  process.exit(2);
}

const client = new ShareClient({ url, clientName: 'share.mjs' });
try {
  const { fingerprint, clients } = await client.join(sessionId, passphrase);
  console.log(`joined ${sessionId} with ${clients.length - 1} other(s); compare fingerprint ${fingerprint}`);
  await client.shareText(text);
  if (file) {
    // A Blob read from disk a chunk at a time: an upload cut by a lost connection resumes.
    const { contentId } = await client.shareFile(await openAsBlob(file), { name: basename(file), type: 'application/octet-stream' });
    console.log(`shared ${basename(file)} as ${contentId}`);
  }
} finally {
  client.close();
}
