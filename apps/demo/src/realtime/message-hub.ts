// Fans message events out to the WebSocket connections of this process. With several instances a
// message posted on one must reach sockets on all of them, so the hub can be backed by a bus (Redis
// pub/sub): every instance publishes to the bus and delivers what the bus brings back, its own included.
import { EventEmitter } from 'node:events';

/** A change to the messages collection, as sent to sockets. */
export interface MessageEvent {
  /** What happened. */
  type: 'created' | 'patched' | 'removed';
  /** The message after the change (before it, for `removed`). */
  message: Record<string, unknown>;
}

/** Where message events go: `publish` from the routes, `subscribe` from the socket server. */
export interface MessageHub {
  /** Sends an event to every subscriber of every instance. */
  publish(event: MessageEvent): Promise<void>;
  /** Calls `listener` with every event; returns the function that unsubscribes. */
  subscribe(listener: (event: MessageEvent) => void): () => void;
  /** Stops listening to the bus. */
  close(): Promise<void>;
}

/**
 * A hub for one process.
 *
 * @returns The hub.
 */
export function localMessageHub(): MessageHub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(event) {
      emitter.emit('event', event);
    },
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
