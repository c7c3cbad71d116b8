/**
 * The conformance suite every key store runs, published as `@org/strategy-jwt/key-store-conformance`:
 * call {@link runKeyStoreConformance} from a vitest file to check a store of your own.
 *
 * @packageDocumentation
 * @module @org/strategy-jwt/key-store-conformance
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequest } from '@org/core';
import type { KeyStore } from './key-store.ts';

/** How a key store implementation plugs into {@link runKeyStoreConformance}. */
export interface KeyStoreConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /**
   * Opens a handle on `namespace`. Two calls with the same namespace MUST reach the same data through
   * separate handles (connections) where the store has them; the suite closes every handle it opens.
   */
  open(namespace: string): Promise<KeyStore> | KeyStore;
}

/**
 * The one test suite every {@link KeyStore} runs (vitest `describe`/`it`): round trips, the atomicity
 * of create-if-absent and compare-and-set under concurrency across handles, namespace isolation and id
 * validation. Call it at the top level of a test file.
 * @param options - The implementation under test.
 * @example
 * ```ts
 * runKeyStoreConformance({ name: 'redis', open: (namespace) => redisKeyStore({ namespace }) });
 * ```
 */
export function runKeyStoreConformance(options: KeyStoreConformanceOptions): void {
  describe(`KeyStore conformance: ${options.name}`, () => {
    const opened: KeyStore[] = [];
    const open = async (namespace: string): Promise<KeyStore> => {
      const store = await options.open(namespace);
      opened.push(store);
      return store;
    };
    const fresh = () => `t${randomBytes(6).toString('hex')}`;
    afterEach(async () => {
      // Leave a shared server as it was found: empty every namespace this test used.
      for (const store of opened) {
        for (const { id } of await store.list().catch(() => [])) await store.delete(id).catch(() => false);
      }
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('names the namespace it was opened on (the ring binds its records to it), when it names one', async () => {
      const namespace = fresh();
      const store = await open(namespace);
      expect(store.namespace ?? namespace).toBe(namespace);
    });

    it('returns undefined for a missing id and lists nothing when empty', async () => {
      const store = await open(fresh());
      expect(await store.get('slot:ES256:1')).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it('creates once and keeps the first value', async () => {
      const store = await open(fresh());
      expect(await store.createIfAbsent('slot:ES256:1', 'first')).toBe(true);
      expect(await store.createIfAbsent('slot:ES256:1', 'second')).toBe(false);
      expect(await store.get('slot:ES256:1')).toBe('first');
    });

    it('round-trips values exactly (unicode, quotes, 64 KiB)', async () => {
      const store = await open(fresh());
      const values = ['{"a":"\\u0000é😀\'"}', 'x'.repeat(65536)];
      for (const [i, value] of values.entries()) {
        await store.createIfAbsent(`v.${i}`, value);
        expect(await store.get(`v.${i}`)).toBe(value);
      }
    });

    it('lets exactly one of many concurrent creators win, across handles', async () => {
      const namespace = fresh();
      const handles = [await open(namespace), await open(namespace), await open(namespace)];
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => handles[i % 3]!.createIfAbsent('slot:ES256:7', `value-${i}`)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = `value-${results.indexOf(true)}`;
      for (const handle of handles) expect(await handle.get('slot:ES256:7')).toBe(winner);
    });

    it('overwrites an existing entry without expected, and never creates', async () => {
      const store = await open(fresh());
      expect(await store.update('a', 'v1')).toBe(false);
      expect(await store.get('a')).toBeUndefined();
      await store.createIfAbsent('a', 'v1');
      expect(await store.update('a', 'v2')).toBe(true);
      expect(await store.get('a')).toBe('v2');
    });

    it('compares and sets: only from the expected value, one winner under concurrency', async () => {
      const namespace = fresh();
      const [one, two] = [await open(namespace), await open(namespace)];
      await one.createIfAbsent('a', 'v1');
      expect(await one.update('a', 'v2', 'stale')).toBe(false);
      expect(await one.get('a')).toBe('v1');
      expect(await one.update('missing', 'v2', 'v1')).toBe(false);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).update('a', `w${i}`, 'v1')),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await two.get('a')).toBe(`w${results.indexOf(true)}`);
    });

    it('deletes', async () => {
      const store = await open(fresh());
      await store.createIfAbsent('a', 'v');
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.createIfAbsent('a', 'again')).toBe(true);
    });

    it('lists exactly its own namespace', async () => {
      const [mine, other] = [await open(fresh()), await open(fresh())];
      await mine.createIfAbsent('slot:ES256:1', 'a');
      await mine.createIfAbsent('import:abc', 'b');
      await other.createIfAbsent('slot:ES256:1', 'c');
      const listed = await mine.list();
      expect(listed.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
        { id: 'import:abc', value: 'b' },
        { id: 'slot:ES256:1', value: 'a' },
      ]);
      expect(await other.list()).toEqual([{ id: 'slot:ES256:1', value: 'c' }]);
    });

    it('refuses ids outside the store alphabet before touching the backend', async () => {
      const store = await open(fresh());
      for (const id of ['', 'a b', 'a*', 'a\n', 'x'.repeat(201)]) {
        await expect(store.get(id)).rejects.toBeInstanceOf(BadRequest);
        await expect(store.createIfAbsent(id, 'v')).rejects.toBeInstanceOf(BadRequest);
      }
      expect(await store.list()).toEqual([]);
    });

    it('closes idempotently', async () => {
      const store = await open(fresh());
      await store.createIfAbsent('a', 'v');
      await store.delete('a');
      await store.close();
      await store.close();
    });
  });
}
