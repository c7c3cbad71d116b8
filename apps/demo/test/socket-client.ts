// Test support: a WebSocket client that queues what the server sends, so a test can wait for the next
// message of a type, or check that none arrived.
import WebSocket from 'ws';

// Captured before any test installs fake timers: waiting on a real socket needs a real clock.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** A message from the server. */
export type ServerMessage = { type: string; [key: string]: unknown };

/** A connected test client. */
export class TestSocket {
  readonly received: ServerMessage[] = [];
  readonly socket: WebSocket;
  #waiters: Array<() => void> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as ServerMessage);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Opens a socket to `url`, with optional handshake headers. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    // Listening from the start: the server may answer a handshake token in the same packet as the upgrade.
    const client = new TestSocket(new WebSocket(url, { headers }));
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
    });
    return client;
  }

  /** Sends a JSON message (or raw text). */
  send(message: Record<string, unknown> | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * Resolves with (and removes) the first queued message of `type`, waiting for it if needed; fails after
   * `timeout` ms of real time.
   */
  async next(type: string, timeout = 15_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const index = this.received.findIndex((message) => message.type === type);
      if (index !== -1) return this.received.splice(index, 1)[0]!;
      await new Promise<void>((resolve, reject) => {
        const timer = realSetTimeout(
          () => reject(new Error(`no '${type}' message; received ${JSON.stringify(this.received)}`)),
          Math.max(1, deadline - Date.now()),
        );
        this.#waiters.push(() => {
          realClearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Round trip: the server answers an unknown message type with an error, after everything it sent
   * before, so once that error is here every earlier message is too.
   */
  async sync(): Promise<void> {
    this.send({ type: 'sync' });
    const error = await this.next('error');
    if ((error.error as { message?: unknown }).message !== 'Unknown message type') {
      throw new Error(`unexpected error ${JSON.stringify(error)}`);
    }
  }

  /** The queued messages of `type`. */
  all(type: string): ServerMessage[] {
    return this.received.filter((message) => message.type === type);
  }

  /** Closes the socket and waits for the close. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
