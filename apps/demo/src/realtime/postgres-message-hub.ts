// Message events across instances through Postgres LISTEN/NOTIFY, for a deployment without Redis: every
// instance notifies one channel and delivers what it hears, its own notifications included.
import type pg from 'pg';
import { localMessageHub, type MessageEvent, type MessageHub } from './message-hub.ts';

/**
 * A hub over a Postgres notification channel.
 *
 * @param pool - The pool to notify through (never closed here).
 * @param connectionString - For the listening connection, which stays checked out for the hub's life.
 * @param channel - The channel (an identifier; one per deployment).
 * @param Client - The `pg` Client class.
 * @returns The hub, listening.
 */
export async function postgresMessageHub(
  pool: pg.Pool,
  connectionString: string,
  channel: string,
  Client: typeof pg.Client,
): Promise<MessageHub> {
  const local = localMessageHub();
  const listener = new Client({ connectionString });
  listener.on('error', () => undefined);
  listener.on('notification', (notification) => {
    if (notification.channel !== channel || notification.payload === undefined) return;
    try {
      void local.publish(JSON.parse(notification.payload) as MessageEvent);
    } catch {
      // not one of ours: ignore
    }
  });
  await listener.connect();
  await listener.query(`LISTEN "${channel}"`);
  return {
    async publish(event) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(event)]);
    },
    subscribe: (subscriber) => local.subscribe(subscriber),
    async close() {
      await listener.end().catch(() => undefined);
      await local.close();
    },
  };
}
