import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionExpiry, MAX_TIMER_DELAY } from './connection-expiry.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('ConnectionExpiry', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires the expiry at expiresAt, not a millisecond before', () => {
    const expiry = new ConnectionExpiry();
    const connection = {};
    const onExpiry = vi.fn();
    expiry.arm(connection, { expiresAt: Date.now() + 5000, onExpiry });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(4999);
    expect(onExpiry).not.toHaveBeenCalled();
    expect(expiry.has(connection)).toBe(true);
    vi.advanceTimersByTime(1);
    expect(onExpiry).toHaveBeenCalledTimes(1);
    expect(expiry.has(connection)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('warns before expiry with only one pending timer at a time', () => {
    const expiry = new ConnectionExpiry();
    const connection = {};
    const calls: string[] = [];
    expiry.arm(connection, {
      expiresAt: Date.now() + 10_000,
      onExpiry: () => calls.push(`expiry@${Date.now()}`),
      warnAt: Date.now() + 7_000,
      onWarning: () => calls.push(`warning@${Date.now()}`),
    });
    const start = Date.now();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(7_000);
    expect(calls).toEqual([`warning@${start + 7000}`]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(3_000);
    expect(calls).toEqual([`warning@${start + 7000}`, `expiry@${start + 10000}`]);
  });

  it('warns at once when the warning time is already past, and never when it is after expiry', () => {
    const expiry = new ConnectionExpiry();
    const early = { onWarning: vi.fn(), onExpiry: vi.fn() };
    expiry.arm({}, { ...early, warnAt: Date.now() - 1, expiresAt: Date.now() + 1000 });
    vi.advanceTimersByTime(0);
    expect(early.onWarning).toHaveBeenCalledTimes(1);
    expect(early.onExpiry).not.toHaveBeenCalled();

    const late = { onWarning: vi.fn(), onExpiry: vi.fn() };
    expiry.arm({}, { ...late, warnAt: Date.now() + 2000, expiresAt: Date.now() + 1000 });
    vi.advanceTimersByTime(5000);
    expect(late.onWarning).not.toHaveBeenCalled();
    expect(late.onExpiry).toHaveBeenCalledTimes(1);
  });

  it('expires on the next tick when already expired', () => {
    const expiry = new ConnectionExpiry();
    const onExpiry = vi.fn();
    expiry.arm({}, { expiresAt: Date.now() - 60_000, onExpiry });
    expect(onExpiry).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(onExpiry).toHaveBeenCalledTimes(1);
  });

  it('is correct for an expiry 40 days away, beyond the 24.8-day setTimeout limit', () => {
    const expiry = new ConnectionExpiry();
    const connection = {};
    const onExpiry = vi.fn();
    const onWarning = vi.fn();
    const expiresAt = Date.now() + 40 * DAY;
    expiry.arm(connection, { expiresAt, onExpiry, warnAt: expiresAt - 60_000, onWarning });

    vi.advanceTimersByTime(MAX_TIMER_DELAY);
    expect(onExpiry).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(40 * DAY - MAX_TIMER_DELAY - 60_001);
    expect(onWarning).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onWarning).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(59_999);
    expect(onExpiry).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpiry).toHaveBeenCalledTimes(1);
    expect(Date.now()).toBe(expiresAt);
  });

  it('replaces the timer when armed again, and clear cancels it', () => {
    const expiry = new ConnectionExpiry();
    const connection = {};
    const first = vi.fn();
    const second = vi.fn();
    expiry.arm(connection, { expiresAt: Date.now() + 1000, onExpiry: first });
    expiry.arm(connection, { expiresAt: Date.now() + 2000, onExpiry: second });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);

    const third = vi.fn();
    expiry.arm(connection, { expiresAt: Date.now() + 1000, onExpiry: third });
    expiry.clear(connection);
    expiry.clear(connection);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(third).not.toHaveBeenCalled();
  });

  it('keeps connections independent', () => {
    const expiry = new ConnectionExpiry();
    const a = vi.fn();
    const b = vi.fn();
    const ca = {};
    expiry.arm(ca, { expiresAt: Date.now() + 1000, onExpiry: a });
    expiry.arm({}, { expiresAt: Date.now() + 1000, onExpiry: b });
    expiry.clear(ca);
    vi.advanceTimersByTime(1000);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('lets the expiry callback re-arm the same connection', () => {
    const expiry = new ConnectionExpiry();
    const connection = {};
    const again = vi.fn();
    expiry.arm(connection, {
      expiresAt: Date.now() + 1000,
      onExpiry: () => expiry.arm(connection, { expiresAt: Date.now() + 1000, onExpiry: again }),
    });
    vi.advanceTimersByTime(1000);
    expect(expiry.has(connection)).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('routes a throwing callback to onError and still runs the next step', () => {
    const onError = vi.fn();
    const expiry = new ConnectionExpiry({ onError });
    const boom = new Error('listener failed');
    const onExpiry = vi.fn();
    expiry.arm(
      {},
      {
        expiresAt: Date.now() + 2000,
        onExpiry,
        warnAt: Date.now() + 1000,
        onWarning: () => {
          throw boom;
        },
      },
    );
    vi.advanceTimersByTime(2000);
    expect(onError).toHaveBeenCalledWith(boom);
    expect(onExpiry).toHaveBeenCalledTimes(1);
  });

  it('uses an injected clock', () => {
    let now = 1_000_000;
    const expiry = new ConnectionExpiry({ now: () => now });
    const onExpiry = vi.fn();
    expiry.arm({}, { expiresAt: now + 1000, onExpiry });
    // The timer wakes after 1000 ms but the injected clock has not moved: it waits again.
    vi.advanceTimersByTime(1000);
    expect(onExpiry).not.toHaveBeenCalled();
    now += 1000;
    vi.advanceTimersByTime(1000);
    expect(onExpiry).toHaveBeenCalledTimes(1);
  });
});
