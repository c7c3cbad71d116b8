import pg from 'pg';
import { BadRequest, NotFound } from '@org/core';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAdapter } from './postgres-adapter.ts';
import { isStorableJson } from './postgres-text.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './test-db.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
const schema = uniqueSchema('org_adapter_text');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});
let n = 0;

const NUL = 'a\u0000b';
const LONE_HIGH = 'a\ud800b';
const LONE_LOW = '\udc00';
const UNSTORABLE = [NUL, LONE_HIGH, LONE_LOW];

async function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('isStorableJson', () => {
  it.each([
    ['a NUL', { x: NUL }, false],
    ['an unpaired high surrogate', { x: LONE_HIGH }, false],
    ['an unpaired low surrogate', { x: LONE_LOW }, false],
    ['a NUL in a key', { [NUL]: 1 }, false],
    ['a backslash then a NUL', { x: '\\\u0000' }, false],
    ['a paired surrogate (emoji)', { x: '😀' }, true],
    ['a literal backslash-u0000 typed by a user', { x: '\\u0000' }, true],
    ['a literal backslash-ud800', { x: '\\ud800' }, true],
    ['other control characters', { x: '\u0001\t\n' }, true],
  ])('%s -> %s', (_, value, storable) => {
    expect(isStorableJson(JSON.stringify(value))).toBe(storable);
  });
});

// PostgreSQL cannot hold U+0000 or an unpaired surrogate in text or jsonb: writes carrying one are a 400,
// reads looking for one find nothing (no row can hold it), never a 500.
describe('postgresAdapter: text PostgreSQL cannot store', () => {
  const numbers = async () => {
    const users = postgresAdapter({ pool, schema, table: `users_${++n}`, uniqueFields: ['email'] });
    return { users, ada: await users.create({ email: 'ada@example.com', name: 'Ada' }) };
  };
  const strings = async () => {
    const users = postgresAdapter({ pool, schema, table: `people_${++n}`, id: '_id', idType: 'string' });
    await users.create({ _id: 'ada', name: 'Ada' });
    return users;
  };

  it.each(UNSTORABLE)(
    'create and patch with %j in a value or a key are a 400 that stores nothing',
    async (text) => {
      const { users, ada } = await numbers();
      for (const call of [
        users.create({ email: text }),
        users.create({ name: text }),
        users.create({ nested: { [text]: 1 } }),
        users.patch(ada.id, { name: text }),
        users.patch(ada.id, { email: text }),
      ]) {
        const error = await failure(call);
        expect(error).toBeInstanceOf(BadRequest);
        expect(error).toMatchObject({
          code: 400,
          message: 'The data holds text PostgreSQL cannot store (a NUL character or an unpaired surrogate)',
        });
      }
      expect(await users.find()).toEqual([ada]);
    },
  );

  it.each(UNSTORABLE)('find with %j matches nothing, on unique, plain and nested fields', async (text) => {
    const { users } = await numbers();
    expect(await users.find({ query: { email: text } })).toEqual([]);
    expect(await users.find({ query: { name: text } })).toEqual([]);
    expect(await users.find({ query: { 'profile.city': text, $limit: 1 } })).toEqual([]);
  });

  it.each(UNSTORABLE)('a string id %j is not found, and is no id to create with', async (text) => {
    const users = await strings();
    for (const call of [users.get(text), users.patch(text, { name: 'x' }), users.remove(text)]) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(NotFound);
      expect(error.message).toBe(`No record found for id '${text}'`);
    }
    expect(await users.find({ query: { _id: text } })).toEqual([]);
    const error = await failure(users.create({ _id: text, name: 'x' }));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.message).toBe('Invalid _id');
    expect(await users.find()).toEqual([{ _id: 'ada', name: 'Ada' }]);
  });

  it('stores and finds what PostgreSQL can hold: emoji and a typed backslash-u0000', async () => {
    const { users } = await numbers();
    const record = await users.create({ name: '😀 \\u0000 \u0001' });
    expect(await users.find({ query: { name: '😀 \\u0000 \u0001' } })).toEqual([record]);
  });
});
