import { describe, expect, test } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  test.each([
    ['1d', 86_400],
    ['2h', 7200],
    ['30m', 1800],
    ['60s', 60],
    ['7 days', 604_800],
    ['1.5h', 5400],
    ['1w', 604_800],
    ['1y', 31_557_600],
    ['2 Hours', 7200],
    [90, 90],
    [0, 0],
    [1.4, 1],
  ] as const)('%s -> %i s', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  test.each([
    ['120', "'expiresIn' has no unit; write '120s' for seconds (or pass a number)"],
    [
      '1 fortnight',
      "'expiresIn' is not a duration; use e.g. '1d', '2h', '30m', '60s' or a number of seconds",
    ],
    ['-1d', "'expiresIn' is not a duration; use e.g. '1d', '2h', '30m', '60s' or a number of seconds"],
    [-5, "'expiresIn' must be a non-negative number of seconds"],
    [Number.POSITIVE_INFINITY, "'expiresIn' must be a non-negative number of seconds"],
    [null, "'expiresIn' must be a number of seconds or a string like '1d', '2h', '30m', '60s'"],
  ] as const)('%s is refused', (input, message) => {
    expect(() => parseDuration(input as never, 'expiresIn')).toThrow(
      expect.objectContaining({ reason: 'invalid-configuration', message }),
    );
  });
});
