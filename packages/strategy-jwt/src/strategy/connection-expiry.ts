/**
 * `setTimeout` stores its delay in a signed 32-bit integer: anything above about 24.8 days fires
 * immediately (with a warning) instead of late. Longer waits are chained in steps of at most this.
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** What happens to one connection, and when (epoch milliseconds). */
export interface ExpirySchedule {
  /** When the token expires. */
  expiresAt: number;
  /** Runs at `expiresAt`. */
  onExpiry: () => void;
  /** When to warn; a time already past warns on the next tick, a time at or after `expiresAt` never warns. */
  warnAt?: number;
  /** Runs at `warnAt`. */
  onWarning?: () => void;
}

/** Options of {@link ConnectionExpiry}. */
export interface ConnectionExpiryOptions {
  /**
   * The clock, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Receives what a callback throws, so that a failing listener never crashes the process from a
   * timer.
   * @defaultValue a no-op
   */
  onError?: (error: unknown) => void;
}

interface Step {
  at: number;
  run: () => void;
}

interface Armed {
  steps: Step[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One expiry timer per realtime connection: at most one pending `setTimeout` per connection at any
 * time (the warning, then the expiry, chained), correct for any distance in the future.
 *
 * Connections are held weakly: a connection that is garbage collected takes its entry with it,
 * although its pending timer keeps the callbacks alive until it fires (it is `unref`'d, so it never
 * keeps the process alive).
 *
 * @example
 * ```ts
 * const expiry = new ConnectionExpiry();
 * expiry.arm(connection, {
 *   expiresAt: payload.exp * 1000,
 *   warnAt: payload.exp * 1000 - 60_000,
 *   onWarning: () => socket.send('token-expiring'),
 *   onExpiry: () => socket.close(),
 * });
 * // on re-authentication: arm again (replaces); on close:
 * expiry.clear(connection);
 * ```
 */
export class ConnectionExpiry<C extends object = object> {
  readonly #armed = new WeakMap<C, Armed>();
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;

  /** @param options - Clock and error sink. */
  constructor(options: ConnectionExpiryOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => undefined);
  }

  /**
   * Arms the timer of `connection`, replacing any armed before (re-authentication).
   * @param connection - The connection the timer belongs to.
   * @param schedule - When to warn and expire, and what to run.
   */
  arm(connection: C, schedule: ExpirySchedule): void {
    this.clear(connection);
    const steps: Step[] = [];
    const { warnAt, onWarning } = schedule;
    if (warnAt !== undefined && onWarning && warnAt < schedule.expiresAt) {
      steps.push({ at: warnAt, run: onWarning });
    }
    steps.push({ at: schedule.expiresAt, run: schedule.onExpiry });
    const armed: Armed = { steps, timer: undefined };
    this.#armed.set(connection, armed);
    this.#schedule(connection, armed);
  }

  /** Cancels the timer of `connection`, if any. Idempotent. */
  clear(connection: C): void {
    const armed = this.#armed.get(connection);
    if (armed === undefined) return;
    if (armed.timer !== undefined) clearTimeout(armed.timer);
    armed.steps.length = 0;
    this.#armed.delete(connection);
  }

  /** True while `connection` has a pending warning or expiry. */
  has(connection: C): boolean {
    return this.#armed.has(connection);
  }

  #schedule(connection: C, armed: Armed): void {
    const step = armed.steps[0];
    if (step === undefined) {
      armed.timer = undefined;
      if (this.#armed.get(connection) === armed) this.#armed.delete(connection);
      return;
    }
    const delay = Math.min(Math.max(step.at - this.#now(), 0), MAX_TIMER_DELAY);
    armed.timer = setTimeout(() => this.#tick(connection, armed), delay);
    armed.timer.unref?.();
  }

  #tick(connection: C, armed: Armed): void {
    const step = armed.steps[0];
    if (step === undefined || this.#armed.get(connection) !== armed) return;
    // A chained step of a long wait, or a timer that fired a little early: wait the rest.
    if (step.at > this.#now()) {
      this.#schedule(connection, armed);
      return;
    }
    armed.steps.shift();
    if (armed.steps.length === 0) {
      // Released before the callback runs, so the callback may re-arm the same connection.
      armed.timer = undefined;
      this.#armed.delete(connection);
    }
    try {
      step.run();
    } catch (error) {
      this.#onError(error);
    }
    if (armed.steps.length > 0 && this.#armed.get(connection) === armed) this.#schedule(connection, armed);
  }
}
