// Test support (excluded from the build): a TCP proxy in front of the shared Redis or Postgres, so a
// test can take "the server" down and bring it back without touching the real one, which other test
// files and helpers use at the same time.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the proxy does with traffic: forward it, reset every connection, or swallow it silently. */
export type ProxyMode = 'up' | 'down' | 'hang';

export interface TestTcpProxy {
  /** The local port, stable for the proxy's life (it keeps listening whatever the mode). */
  readonly port: number;
  /**
   * `down`: open connections are reset and new ones closed at once (a stopped server).
   * `hang`: open connections stop forwarding and new ones are accepted but never answered (a server
   * that hangs, or a network that drops packets). `up`: forward again (open hung connections stay hung).
   */
  set(mode: ProxyMode): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TestTcpProxy> {
  let mode: ProxyMode = 'up';
  const pairs = new Set<{ client: Socket; upstream?: Socket }>();
  const server: Server = createServer((client) => {
    client.on('error', () => client.destroy());
    if (mode === 'down') return void client.destroy();
    const pair: { client: Socket; upstream?: Socket } = { client };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'hang') return;
    const upstream = connect(target);
    pair.upstream = upstream;
    upstream.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const destroyAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream?.destroy();
    }
    pairs.clear();
  };
  return {
    port: (server.address() as AddressInfo).port,
    set(next) {
      mode = next;
      if (next === 'down') destroyAll();
      if (next === 'hang') {
        for (const { client, upstream } of pairs) {
          client.unpipe();
          upstream?.unpipe();
          client.pause();
          upstream?.pause();
        }
      }
    },
    async close() {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
