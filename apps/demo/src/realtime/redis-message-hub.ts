// Message events across instances through Redis pub/sub: every instance publishes to one channel and
// delivers what the channel brings, its own events included, so each socket gets each event once.
import type { Redis } from 'ioredis';
import { localMessageHub, type MessageEvent, type MessageHub } from './message-hub.ts';

/**
 * A hub over a Redis channel.
 *
 * @param client - A connected client to publish with (never closed here).
 * @param channel - The channel (one per deployment).
 * @returns The hub, subscribed.
 */
export async function redisMessageHub(client: Redis, channel: string): Promise<MessageHub> {
  const local = localMessageHub();
  // A subscribed connection can do nothing else: it gets its own.
  const subscriber = client.duplicate();
  subscriber.on('error', () => undefined); // ioredis reconnects and resubscribes by itself
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      void local.publish(JSON.parse(text) as MessageEvent);
    } catch {
      // not one of ours: ignore
    }
  });
  await subscriber.subscribe(channel);
  return {
    async publish(event) {
      await client.publish(channel, JSON.stringify(event));
    },
    subscribe: (listener) => local.subscribe(listener),
    async close() {
      await subscriber.quit().catch(() => undefined);
      await local.close();
    },
  };
}
