/**
 * Talks to a child process started with `--inspect=127.0.0.1:0` over the
 * DevTools protocol, to measure its heap after a real garbage collection
 * without any test hook in the server.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message.result);
    });
  }

  /** Connects to the URL the child prints on stderr ("Debugger listening on ws://..."). */
  static async attach(child: ChildProcess, stderr: () => string): Promise<Inspector> {
    const find = () => /Debugger listening on (ws:\/\/\S+)/.exec(stderr())?.[1];
    let url = find();
    while (!url) {
      await once(child.stderr!, 'data');
      url = find();
    }
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Inspector(ws);
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Heap in use after a full garbage collection, in bytes. */
  async heapUsedAfterGc(): Promise<number> {
    await this.call('HeapProfiler.collectGarbage');
    const result = (await this.call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true })) as {
      result: { value: number };
    };
    return result.result.value;
  }

  close(): void {
    this.ws.close();
  }
}
