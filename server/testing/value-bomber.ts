/**
 * An attacker in a process of its own (so its work does not slow the test's
 * own measurements): opens connections to a server and sends each one the
 * given message `times` times, then prints how many the server closed.
 * It prints `open` once connected and waits for a line on stdin to start,
 * so that its own start-up is not counted either.
 * Usage: value-bomber.ts <port> <connections> <times> <kind> (kind: bomb | under).
 */
import { DECODE_VALUES_PER_WINDOW } from '../../protocol/limits.ts';
import { arrayBomb, packetWith } from './fuzz-payloads.ts';
import { RawClient } from './raw-client.ts';

const [port, connections, times, kind] = process.argv.slice(2);
// bomb: 4,001,015 values in 4,003,071 bytes (0.46 s to decode whole); under: 9,000 values, under the cap of one message.
const message = kind === 'bomb' ? packetWith('list-content', arrayBomb(1000, 4000)) : packetWith('list-content', arrayBomb(1, 9_000));
const count = kind === 'bomb' ? Number(times) : Math.max(Number(times), Math.ceil((3 * DECODE_VALUES_PER_WINDOW) / 9_000));
const clients = await Promise.all(Array.from({ length: Number(connections) }, () => RawClient.open(Number(port))));
process.stdout.write('open\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const closed = await Promise.all(
  clients.map(async (client) => {
    for (let i = 0; i < count && client.ws.readyState === client.ws.OPEN; i++) client.ws.send(message);
    const byServer = await Promise.race([client.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, 20_000, false).unref())]);
    client.close();
    return byServer;
  }),
);
process.stdout.write(`${JSON.stringify({ closed: closed.filter(Boolean).length })}\n`);
process.stdin.destroy();
