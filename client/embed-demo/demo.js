// Loads the elements from the ShareThings server named by ?server=... (by
// default the origin serving this page) and shows what <share-app> reports.
const server = new URLSearchParams(location.search).get('server') || location.origin;
const app = document.querySelector('share-app');
app.setAttribute('server', server);

const log = document.getElementById('log');
const note = (line) => (log.textContent = `${new Date().toLocaleTimeString()}  ${line}\n${log.textContent}`);
app.addEventListener('session-joined', (event) => note(`joined session ${event.sessionId} (key ${event.fingerprint})`));
app.addEventListener('session-left', (event) => note(`left session ${event.sessionId}`));
app.addEventListener('connection-change', (event) => note(`connection: ${event.state}`));

try {
  await import(new URL('/share-elements.js', server).href);
} catch (error) {
  // Usually CORS: the server's CORS_ORIGIN must list this page's origin.
  note(`could not load the elements from ${server} (is ${location.origin} in its CORS_ORIGIN?): ${error.message}`);
}
