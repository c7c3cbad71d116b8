import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy between the pool and PostgreSQL, so a test can take "the database" down and bring it back
 * without touching the real server (which other test files use at the same time).
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  #blackHole = false;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** The port the proxy listens on (stable across `cut()` / `restore()`). */
  get port(): number {
    return this.#port;
  }

  /** Starts listening (on a random port the first time, on the same port after a `cut()`). */
  async listen(): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Accept connections but never answer them (a server that hangs): connects time out. */
  hang(on: boolean): void {
    this.#blackHole = on;
  }

  /** The database "goes down": every open connection is destroyed and new ones are refused. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The database "comes back" on the same port. */
  restore(): Promise<void> {
    return this.listen();
  }

  #accept(client: Socket): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.#blackHole) return;
    const upstream = connect(this.#target);
    this.#sockets.add(upstream);
    upstream.on('close', () => {
      this.#sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  }
}
