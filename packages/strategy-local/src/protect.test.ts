import { describe, expect, it } from 'vitest';
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
});
