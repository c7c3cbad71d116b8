import { EventEmitter } from 'node:events';
import { feathers } from '@feathersjs/feathers';
import { MemoryService } from '@feathersjs/memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EntityCache } from './entity-cache.ts';
import type { EntityService, Id } from './entity-service.ts';
import { BadRequest, NotFound } from './errors.ts';

interface User {
  id: number;
  email: string;
  disabled?: boolean;
}

/** A tiny event-emitting store that counts `get` calls. */
class Users extends EventEmitter implements EntityService<User> {
  readonly id = 'id';
  readonly records = new Map<string, User>();
  gets = 0;

  async get(id: Id): Promise<User> {
    this.gets++;
    const record = this.records.get(String(id));
    if (record === undefined) throw new NotFound(`No record found for id '${id}'`);
    return { ...record };
  }
  async find(): Promise<User[]> {
    return [...this.records.values()];
  }
  async create(data: Partial<User>): Promise<User> {
    const record = { id: this.records.size + 1, email: '', ...data };
    this.records.set(String(record.id), record);
    this.emit('created', record);
    return { ...record };
  }
  async patch(id: Id, data: Partial<User>): Promise<User> {
    const record = { ...(await this.get(id)), ...data };
    this.records.set(String(id), record);
    this.emit('patched', record);
    return { ...record };
  }
  async remove(id: Id): Promise<User> {
    const record = await this.get(id);
    this.records.delete(String(id));
    this.emit('removed', record);
    return record;
  }
}

describe('EntityCache', () => {
  let users: Users;
  let cache: EntityCache;
  const lookup = (id: Id) => cache.get(users, id, () => users.get(id));

  beforeEach(async () => {
    users = new Users();
    await users.create({ email: 'a@example.com' });
    await users.create({ email: 'b@example.com' });
    users.gets = 0;
    cache = new EntityCache({ max: 10, ttl: 1000 });
  });

  afterEach(() => {
    cache.close();
    vi.useRealTimers();
  });

  it('serves repeated lookups from the cache, with ids as strings or numbers', async () => {
    expect(await lookup(1)).toEqual({ id: 1, email: 'a@example.com' });
    expect(await lookup('1')).toEqual({ id: 1, email: 'a@example.com' });
    expect(await lookup(1)).toEqual({ id: 1, email: 'a@example.com' });
    expect(users.gets).toBe(1);
  });

  it('hands out copies, so a caller mutating its entity does not change the cache', async () => {
    const first = await lookup(1);
    first.email = 'changed';
    expect((await lookup(1)).email).toBe('a@example.com');
  });

  it('drops an entry when the service emits patched (a disabled user is seen at once)', async () => {
    await lookup(1);
    await users.patch(1, { disabled: true });
    expect(await lookup(1)).toEqual({ id: 1, email: 'a@example.com', disabled: true });
    expect(users.gets).toBe(3); // lookup, patch's own get, lookup after invalidation
  });

  it('drops an entry when the service emits removed (a deleted user is refused on the next request)', async () => {
    await lookup(2);
    await users.remove(2);
    await expect(lookup(2)).rejects.toBeInstanceOf(NotFound);
    expect(await lookup(1)).toEqual({ id: 1, email: 'a@example.com' });
  });

  it('drops an entry when a Feathers service emits patched, updated (update replaces) or removed', async () => {
    const app = feathers().use('people', new MemoryService<any>({ multi: true }));
    const people = app.service('people') as unknown as EntityService<any> & {
      update(id: Id, data: unknown): Promise<unknown>;
    };
    const ada = (await people.create({ name: 'Ada' })) as { id: number };
    let loads = 0;
    const load = () => cache.get(people, String(ada.id), () => (loads++, people.get(ada.id)));

    await load();
    await people.update(ada.id, { name: 'Ada', disabled: true });
    expect(await load()).toEqual({ id: ada.id, name: 'Ada', disabled: true });
    await people.patch(ada.id, { disabled: false });
    expect(await load()).toEqual({ id: ada.id, name: 'Ada', disabled: false });
    await people.remove(ada.id);
    await expect(load()).rejects.toMatchObject({ name: 'NotFound' });
    expect(loads).toBe(4);
  });

  it('does not cache failures', async () => {
    await expect(lookup(7)).rejects.toBeInstanceOf(NotFound);
    await users.create({ id: 7, email: 'c@example.com' });
    expect(await lookup(7)).toEqual({ id: 7, email: 'c@example.com' });
  });

  it('expires entries after the TTL (fake timers)', async () => {
    vi.useFakeTimers();
    cache = new EntityCache({ ttl: 1000 });
    await lookup(1);
    vi.advanceTimersByTime(999);
    await lookup(1);
    expect(users.gets).toBe(1);
    vi.advanceTimersByTime(1);
    await lookup(1);
    expect(users.gets).toBe(2);
  });

  it('a TTL of 0 caches nothing', async () => {
    vi.useFakeTimers();
    cache = new EntityCache({ ttl: 0 });
    await lookup(1);
    await lookup(1);
    expect(users.gets).toBe(2);
  });

  it('evicts the least recently used entry beyond max', async () => {
    await users.create({ email: 'c@example.com' });
    users.gets = 0;
    cache = new EntityCache({ max: 2, ttl: 1000 });
    await lookup(1);
    await lookup(2);
    await lookup(1); // 1 is now the most recently used
    await lookup(3); // evicts 2
    expect(cache.size).toBe(2);
    expect(users.gets).toBe(3);
    await lookup(1);
    expect(users.gets).toBe(3);
    await lookup(2);
    expect(users.gets).toBe(4);
  });

  it('keeps the LRU order when the most recently used entry is hit again and again', async () => {
    await users.create({ email: 'c@example.com' });
    users.gets = 0;
    cache = new EntityCache({ max: 2, ttl: 1000 });
    await lookup(1);
    await lookup(2);
    await lookup(2); // already the newest: no reordering needed
    expect(cache.peek(users, 1)).toBeDefined(); // 1 becomes the newest
    expect(cache.peek(users, 1)).toBeDefined();
    await lookup(3); // evicts 2, the least recently used
    expect(cache.peek(users, 2)).toBeUndefined();
    expect(cache.peek(users, 1)).toEqual({ id: 1, email: 'a@example.com' });
    expect(users.gets).toBe(3);
  });

  describe('peek', () => {
    it('answers a loaded entry synchronously, as a fresh copy, without loading', async () => {
      expect(cache.peek(users, 1)).toBeUndefined();
      expect(users.gets).toBe(0);
      await lookup(1);
      const first = cache.peek(users, '1')!;
      expect(first).toEqual({ id: 1, email: 'a@example.com' });
      first.email = 'changed';
      expect(cache.peek(users, 1)).toEqual({ id: 1, email: 'a@example.com' });
      expect(users.gets).toBe(1);
    });

    it('does not answer while the load is under way, nor for a failed load', async () => {
      const pending = lookup(1);
      expect(cache.peek(users, 1)).toBeUndefined();
      await pending;
      expect(cache.peek(users, 1)).toBeDefined();
      await expect(lookup(9)).rejects.toBeInstanceOf(NotFound);
      expect(cache.peek(users, 9)).toBeUndefined();
    });

    it('stops answering after a change event, past the TTL, and after close()', async () => {
      vi.useFakeTimers();
      cache = new EntityCache({ ttl: 1000 });
      await lookup(1);
      await lookup(2);
      await users.patch(1, { disabled: true });
      expect(cache.peek(users, 1)).toBeUndefined();
      vi.advanceTimersByTime(999);
      expect(cache.peek(users, 2)).toBeDefined();
      vi.advanceTimersByTime(1);
      expect(cache.peek(users, 2)).toBeUndefined();
      await lookup(2);
      cache.close();
      expect(cache.peek(users, 2)).toBeUndefined();
    });

    it('keeps variants and services apart, and never subscribes', async () => {
      const other = new Users();
      await other.create({ email: 'other@example.com' });
      await cache.get(users, 1, () => users.get(1), 'provider:rest');
      expect(cache.peek(users, 1)).toBeUndefined();
      expect(cache.peek(users, 1, 'provider:rest')).toEqual({ id: 1, email: 'a@example.com' });
      expect(cache.peek(other, 1, 'provider:rest')).toBeUndefined();
      expect(other.listenerCount('patched')).toBe(0);
    });
  });

  it('shares one load between concurrent lookups of the same id', async () => {
    const [a, b] = await Promise.all([lookup(1), lookup(1)]);
    expect(a).toEqual(b);
    expect(users.gets).toBe(1);
  });

  it('keeps the result of a load that a change event overtook out of the cache', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = cache.get(users, 1, async () => {
      const record = await users.get(1);
      await gate;
      return record;
    });
    await users.patch(1, { disabled: true });
    release();
    expect((await slow).disabled).toBeUndefined();
    expect((await lookup(1)).disabled).toBe(true);
  });

  it('keeps services apart and invalidate(id, service) only touches that service', async () => {
    const other = new Users();
    await other.create({ email: 'other@example.com' });
    const fromOther = () => cache.get(other, 1, () => other.get(1));
    expect((await fromOther()).email).toBe('other@example.com');
    expect((await lookup(1)).email).toBe('a@example.com');

    cache.invalidate(1, other);
    await fromOther();
    await lookup(1);
    expect(other.gets).toBe(2);
    expect(users.gets).toBe(1);

    cache.invalidate('1');
    await fromOther();
    await lookup(1);
    expect(other.gets).toBe(3);
    expect(users.gets).toBe(2);
  });

  it('keeps variants of one id apart, and a change event or invalidate drops every variant', async () => {
    const external = (id: Id) =>
      cache.get(users, id, async () => ({ ...(await users.get(id)), view: 'external' }), 'rest');
    expect(await lookup(1)).toEqual({ id: 1, email: 'a@example.com' });
    expect(await external(1)).toEqual({ id: 1, email: 'a@example.com', view: 'external' });
    expect(await external('1')).toEqual({ id: 1, email: 'a@example.com', view: 'external' });
    expect(await lookup(1)).toEqual({ id: 1, email: 'a@example.com' });
    expect(users.gets).toBe(2);

    await users.patch(1, { disabled: true });
    users.gets = 0;
    expect(await external(1)).toMatchObject({ disabled: true, view: 'external' });
    expect(await lookup(1)).toMatchObject({ disabled: true });
    expect(users.gets).toBe(2);

    cache.invalidate(1);
    await external(1);
    await lookup(1);
    expect(users.gets).toBe(4);
  });

  it('never mixes up a variant and an id that contain NUL or quotes', async () => {
    const load = (id: Id, variant?: string) =>
      cache.get(users, id, async () => ({ id, variant: variant ?? null }) as unknown as User, variant);
    const pairs: [Id, string | undefined][] = [
      ['1', undefined],
      ['\u00001', undefined],
      ['1', '\u0000'],
      ['"a"\u00001', undefined],
      ['1', 'a'],
      ['a\u00001', '"'],
      ['1', '"\u0000a'],
    ];
    for (const [id, variant] of pairs) {
      expect(await load(id, variant)).toEqual({ id, variant: variant ?? null });
    }
    expect(cache.size).toBe(pairs.length);
    // '' is the default variant: served from the entry of ['1', undefined].
    expect(await load('1', '')).toEqual({ id: '1', variant: null });
  });

  it('does not cache for a service without events', async () => {
    const service: EntityService<User> = {
      get: (id) => users.get(id),
      find: () => users.find(),
      create: (data) => users.create(data),
      patch: (id, data) => users.patch(id, data),
      remove: (id) => users.remove(id),
    };
    await cache.get(service, 1, () => service.get(1));
    await cache.get(service, 1, () => service.get(1));
    expect(users.gets).toBe(2);
  });

  it('close() unsubscribes from every service and stops caching', async () => {
    await lookup(1);
    for (const event of ['patched', 'updated', 'removed']) expect(users.listenerCount(event)).toBe(1);
    cache.close();
    cache.close();
    for (const event of ['patched', 'updated', 'removed']) expect(users.listenerCount(event)).toBe(0);
    expect(cache.size).toBe(0);
    await lookup(1);
    await lookup(1);
    expect(users.gets).toBe(3);
  });

  it('subscribes once per service', async () => {
    await lookup(1);
    await lookup(2);
    expect(users.listenerCount('patched')).toBe(1);
  });

  it.each([
    [{ max: 0 }, 'entityCache.max must be a positive integer, got 0'],
    [{ max: 1.5 }, 'entityCache.max must be a positive integer, got 1.5'],
    [{ ttl: -1 }, 'entityCache.ttl must be a number of milliseconds >= 0, got -1'],
    [{ ttl: Number.NaN }, 'entityCache.ttl must be a number of milliseconds >= 0, got NaN'],
  ])('rejects bad options %o at construction', (options, message) => {
    let error: unknown;
    try {
      new EntityCache(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ message, reason: 'invalid-configuration', code: 400 });
  });

  describe('fromConfiguration', () => {
    it('is off (undefined) without settings', () => {
      expect(EntityCache.fromConfiguration(undefined)).toBeUndefined();
      expect(EntityCache.fromConfiguration(null)).toBeUndefined();
    });

    it('builds a cache with the defaults or the given max and ttl', () => {
      const defaults = EntityCache.fromConfiguration({})!;
      expect([defaults.max, defaults.ttl]).toEqual([1000, 5000]);
      const custom = EntityCache.fromConfiguration({ max: 50, ttl: 250 })!;
      expect([custom.max, custom.ttl]).toEqual([50, 250]);
    });

    it.each([
      [true, "'authentication.entityCache' must be an object"],
      [[], "'authentication.entityCache' must be an object"],
      [{ tll: 5 }, "Unknown option 'authentication.entityCache.tll'. Did you mean 'ttl'?"],
      [{ size: 5 }, "Unknown option 'authentication.entityCache.size'."],
      [{ max: '10' }, 'entityCache.max must be a positive integer, got "10"'],
    ])('rejects %o', (settings, message) => {
      let error: unknown;
      try {
        EntityCache.fromConfiguration(settings);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BadRequest);
      expect(error).toMatchObject({ message, reason: 'invalid-configuration' });
    });
  });
});
