import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EntityCache } from './entity-cache.ts';
import type { EntityService, Id } from './entity-service.ts';

/** A service handing out the very object it holds (no copy), so the test can change it after a load. */
class SharedObjects extends EventEmitter implements EntityService<Record<string, unknown>> {
  readonly id = 'id';
  readonly record: Record<string, unknown>;
  constructor(record: Record<string, unknown>) {
    super();
    this.record = record;
  }
  async get(_id: Id) {
    return this.record;
  }
  async find() {
    return [this.record];
  }
  async create(data: Record<string, unknown>) {
    return data;
  }
  async patch() {
    return this.record;
  }
  async remove() {
    return this.record;
  }
}

describe('EntityCache copies', () => {
  it('keeps its own copy of a JSON entity: a later change to the loaded object is not served', async () => {
    const record: Record<string, unknown> = { id: 1, roles: ['user'], profile: { name: 'Ada' } };
    const users = new SharedObjects(record);
    const cache = new EntityCache({ ttl: 60_000 });
    const load = () => users.get(1);
    const first = await cache.get(users, 1, load);
    expect(first).toEqual({ id: 1, roles: ['user'], profile: { name: 'Ada' } });
    expect(first).not.toBe(record);
    (record.roles as string[]).push('admin');
    record.profile = new Date(0);
    const second = await cache.get(users, 1, load);
    expect(second).toEqual({ id: 1, roles: ['user'], profile: { name: 'Ada' } });
    (second.roles as string[]).push('changed');
    expect((await cache.get(users, 1, load)).roles).toEqual(['user']);
    cache.close();
  });

  it('hands out a fresh copy of a flat record on every hit, from get and from peek', async () => {
    const record = Object.assign(Object.create(null) as Record<string, unknown>, {
      id: 1,
      email: 'ada@example.com',
      admin: false,
    });
    const users = new SharedObjects(record);
    const cache = new EntityCache({ ttl: 60_000 });
    const load = () => users.get(1);
    const first = await cache.get(users, 1, load);
    record.admin = true;
    const hits = [await cache.get(users, 1, load), cache.peek(users, 1)!, cache.peek(users, 1)!];
    for (const hit of [first, ...hits]) {
      expect(hit).toEqual({ id: 1, email: 'ada@example.com', admin: false });
      expect(Object.getPrototypeOf(hit)).toBe(Object.prototype);
    }
    expect(new Set([first, ...hits]).size).toBe(4);
    hits[1]!.admin = true;
    delete hits[2]!.email;
    expect(cache.peek(users, 1)).toEqual({ id: 1, email: 'ada@example.com', admin: false });
    cache.close();
  });

  it('still copies an entity that is not a JSON tree with structuredClone (a Date stays a Date)', async () => {
    const users = new SharedObjects({ id: 1, createdAt: new Date(0), tags: new Set(['a']) });
    const cache = new EntityCache({ ttl: 60_000 });
    const load = () => users.get(1);
    await cache.get(users, 1, load);
    const hit = await cache.get(users, 1, load);
    expect(hit.createdAt).toBeInstanceOf(Date);
    expect(hit.createdAt).not.toBe(users.record.createdAt);
    expect(hit.tags).toEqual(new Set(['a']));
    (hit.tags as Set<string>).add('b');
    expect((await cache.get(users, 1, load)).tags).toEqual(new Set(['a']));
    cache.close();
  });

  it('serves concurrent lookups of one id from one load, each with its own copy', async () => {
    const users = new SharedObjects({ id: 1, roles: ['user'] });
    const cache = new EntityCache({ ttl: 60_000 });
    let loads = 0;
    const load = () => {
      loads++;
      return users.get(1);
    };
    const [a, b] = await Promise.all([cache.get(users, 1, load), cache.get(users, 1, load)]);
    expect(loads).toBe(1);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(a.roles).not.toBe(b.roles);
    cache.close();
  });
});
