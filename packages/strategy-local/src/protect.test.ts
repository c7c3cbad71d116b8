import { EventEmitter } from 'node:events';
import type { EntityService, Id, Params } from '@org/core';
import { describe, expect, it, vi } from 'vitest';
import { protect, type ProtectContext } from './protect.ts';

// The cases of Feathers' `@feathersjs/authentication-local/hooks/protect` tests, run against
// both `context.result` and an already set `context.dispatch`.
function testOmit(title: string, property: 'result' | 'dispatch') {
  describe(title, () => {
    const fn = protect('password');

    it('omits from object', async () => {
      const data = { email: 'test@user.com', password: 'supersecret' };
      const context: ProtectContext = { [property]: data };
      await fn(context);
      expect(context).toEqual({ [property]: data, dispatch: { email: 'test@user.com' } });
      expect(data.password).toBe('supersecret');
    });

    it('omits from nested object', async () => {
      const hook = protect('user.password');
      const data = { user: { email: 'test@user.com', password: 'supersecret' } };
      const context: ProtectContext = { [property]: data };
      await hook(context);
      expect(context).toEqual({ [property]: data, dispatch: { user: { email: 'test@user.com' } } });
    });

    it('handles `data` property only for find', async () => {
      const data = { email: 'test@user.com', password: 'supersecret', data: 'yes' };
      const context: ProtectContext = { [property]: data };
      await fn(context);
      expect(context).toEqual({ [property]: data, dispatch: { email: 'test@user.com', data: 'yes' } });
    });

    it('uses .toJSON (#48)', async () => {
      class MyUser {
        toJSON() {
          return { email: 'test@user.com', password: 'supersecret' };
        }
      }
      const data = new MyUser();
      const context: ProtectContext = { [property]: data };
      await fn(context);
      expect(context).toEqual({ [property]: data, dispatch: { email: 'test@user.com' } });
    });

    it('omits from array but only objects (#2053)', async () => {
      const data = [
        { email: 'test1@user.com', password: 'supersecret' },
        { email: 'test2@user.com', password: 'othersecret' },
        ['one', 'two', 'three'],
        'test',
      ];
      const context: ProtectContext = { [property]: data };
      await fn(context);
      expect(context).toEqual({
        [property]: data,
        dispatch: [{ email: 'test1@user.com' }, { email: 'test2@user.com' }, ['one', 'two', 'three'], 'test'],
      });
    });

    it('omits from pagination object', async () => {
      const data = {
        total: 2,
        data: [
          { email: 'test1@user.com', password: 'supersecret' },
          { email: 'test2@user.com', password: 'othersecret' },
        ],
      };
      const context: ProtectContext = { method: 'find', [property]: data };
      await fn(context);
      expect(context).toEqual({
        method: 'find',
        [property]: data,
        dispatch: { total: 2, data: [{ email: 'test1@user.com' }, { email: 'test2@user.com' }] },
      });
    });

    it('updates result if params.provider is set', async () => {
      const data = [
        { email: 'test1@user.com', password: 'supersecret' },
        { email: 'test2@user.com', password: 'othersecret' },
      ];
      const params = { provider: 'test' };
      const context: ProtectContext = { [property]: data, params };
      await fn(context);
      expect(context).toEqual({
        [property]: data,
        params,
        result: [{ email: 'test1@user.com' }, { email: 'test2@user.com' }],
        dispatch: [{ email: 'test1@user.com' }, { email: 'test2@user.com' }],
      });
    });
  });
}

describe('protect', () => {
  it('does nothing when called with no result', async () => {
    const context: ProtectContext = {};
    expect(await protect()(context)).toBeUndefined();
    expect(context).toEqual({});
  });

  testOmit('with hook.result', 'result');
  testOmit('with hook.dispatch already set', 'dispatch');

  it('runs next() first as an around hook', async () => {
    const context: ProtectContext = {};
    await protect('password')(context, async () => {
      context.result = { id: 1, password: 'hash' };
    });
    expect(context.dispatch).toEqual({ id: 1 });
  });

  describe('result() for plain services', () => {
    const hide = protect('password', 'auth.secret');

    it('strips a record, an array and a page without mutating them', () => {
      const record = { id: 1, password: 'h', auth: { secret: 's', email: 'e' } };
      expect(hide.result(record)).toEqual({ id: 1, auth: { email: 'e' } });
      expect(record.password).toBe('h');
      expect(hide.result([record, 'x'])).toEqual([{ id: 1, auth: { email: 'e' } }, 'x']);
      expect(hide.result({ total: 1, limit: 10, skip: 0, data: [record] })).toEqual({
        total: 1,
        limit: 10,
        skip: 0,
        data: [{ id: 1, auth: { email: 'e' } }],
      });
    });

    it('treats a record that merely has a data array as a record', () => {
      expect(hide.result({ id: 1, password: 'h', data: [{ password: 'x' }] })).toEqual({
        id: 1,
        data: [{ password: 'x' }],
      });
    });

    it('strips the entity of an authentication result, whatever its name', () => {
      const result = {
        accessToken: 'token',
        authentication: { strategy: 'local', password: 'kept: not an entity' },
        person: { id: 1, email: 'e', password: 'h' },
      };
      expect(hide.result(result)).toEqual({
        accessToken: 'token',
        authentication: { strategy: 'local', password: 'kept: not an entity' },
        person: { id: 1, email: 'e' },
      });
    });

    it('passes scalars and null through', () => {
      expect(hide.result(null)).toBeNull();
      expect(hide.result('x')).toBe('x');
    });
  });

  describe('service() for plain services', () => {
    type User = { id: number; email: string; password: string };

    // Returns its stored records themselves (no copies), so a mutation by the wrapper would show; the
    // #private field breaks if a method runs with the proxy as `this`.
    class Store extends EventEmitter implements EntityService<User> {
      readonly #records = new Map<Id, User>();
      readonly id = 'id';
      get size() {
        return this.#records.size;
      }
      async get(id: Id, _params?: Params) {
        return this.#records.get(id)!;
      }
      async find(params?: Params) {
        const data = [...this.#records.values()];
        return params?.paginate ? { total: data.length, limit: 10, skip: 0, data } : data;
      }
      async create(data: Partial<User>, _params?: Params) {
        const record = { ...data, id: this.#records.size + 1 } as User;
        this.#records.set(record.id, record);
        this.emit('created', record);
        return record;
      }
      async update(id: Id, data: Partial<User>, _params?: Params) {
        return this.patch(id, data);
      }
      async patch(id: Id, data: Partial<User>, _params?: Params) {
        const record = Object.assign(this.#records.get(id)!, data);
        this.emit('patched', record);
        return record;
      }
      async remove(id: Id, _params?: Params) {
        const record = this.#records.get(id)!;
        this.#records.delete(id);
        this.emit('removed', record);
        return record;
      }
      async reset(_data: unknown, _params?: Params) {
        return this.find();
      }
    }

    const external = { provider: 'rest' };
    const ada = { email: 'ada@example.com', password: 'hash-a' };

    async function setup() {
      const store = new Store();
      const users = protect('password').service(store);
      const record = await store.create({ ...ada });
      return { store, users, record };
    }

    it('strips get, find (array and page), create, update, patch and remove for an external call', async () => {
      const { users } = await setup();
      expect(await users.get(1, external)).toEqual({ id: 1, email: 'ada@example.com' });
      expect(await users.find(external)).toEqual([{ id: 1, email: 'ada@example.com' }]);
      expect(await users.find({ ...external, paginate: true })).toEqual({
        total: 1,
        limit: 10,
        skip: 0,
        data: [{ id: 1, email: 'ada@example.com' }],
      });
      expect(await users.create({ email: 'bob@example.com', password: 'hash-b' }, external)).toEqual({
        id: 2,
        email: 'bob@example.com',
      });
      expect(await users.update(2, { email: 'bo@example.com' }, external)).toEqual({
        id: 2,
        email: 'bo@example.com',
      });
      expect(await users.patch(1, { email: 'ad@example.com' }, external)).toEqual({
        id: 1,
        email: 'ad@example.com',
      });
      expect(await users.remove(1, external)).toEqual({ id: 1, email: 'ad@example.com' });
    });

    it('returns the records untouched for an internal call, the same objects the service returned', async () => {
      const { store, users, record } = await setup();
      expect(await users.get(1)).toBe(record);
      expect(await users.get(1, {})).toBe(record);
      expect(await users.find({ query: {} })).toEqual([record]);
      expect((await users.find({ paginate: true })) as { data: User[] }).toMatchObject({ data: [record] });
      expect(await users.create({ email: 'bob@example.com', password: 'hash-b' })).toEqual({
        id: 2,
        email: 'bob@example.com',
        password: 'hash-b',
      });
      expect(await users.patch(1, { email: 'ad@example.com' }, {})).toBe(record);
      expect(await users.remove(1)).toBe(record);
      expect(store.size).toBe(1);
    });

    it('never mutates the records the service returns', async () => {
      const { store, users, record } = await setup();
      const page = (await store.find({ paginate: true })) as { data: User[] };
      const data = page.data;
      await users.get(1, external);
      await users.find(external);
      await users.find({ ...external, paginate: true });
      await users.patch(1, {}, external);
      expect(record).toEqual({ id: 1, ...ada });
      expect(await store.get(1)).toEqual({ id: 1, ...ada });
      expect(page.data).toBe(data);
    });

    it('keeps the id, other properties, custom methods and the events of the service', async () => {
      const { store, users } = await setup();
      expect(users.id).toBe('id');
      expect(users.size).toBe(1);
      // Only the standard methods are known to take params; a custom method's result is not stripped.
      expect(await users.reset(null, external)).toEqual([{ id: 1, ...ada }]);

      const listener = vi.fn();
      users.on('patched', listener);
      await store.patch(1, { email: 'ad@example.com' });
      expect(listener).toHaveBeenCalledWith({ id: 1, email: 'ad@example.com', password: 'hash-a' });
      users.off('patched', listener);
      await users.patch(1, { email: 'a@example.com' }, external);
      expect(listener).toHaveBeenCalledTimes(1);
      expect(store.listenerCount('patched')).toBe(0);
    });

    it('calls a method replaced on the service after wrapping (a spy)', async () => {
      const { store, users } = await setup();
      const get = vi.spyOn(store, 'get');
      expect(await users.get(1, external)).toEqual({ id: 1, email: 'ada@example.com' });
      expect(get).toHaveBeenCalledWith(1, external);
    });

    it('uses toJSON of a record, as the hook does', async () => {
      const store = new Store();
      vi.spyOn(store, 'get').mockResolvedValue({
        toJSON: () => ({ id: 1, ...ada }),
      } as unknown as User);
      expect(await protect('password').service(store).get(1, external)).toEqual({
        id: 1,
        email: 'ada@example.com',
      });
    });
  });
});
