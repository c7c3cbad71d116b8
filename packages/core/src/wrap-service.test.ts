import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { SERVICE_METHODS, serviceCallParams, wrapService } from './wrap-service.ts';

class Store extends EventEmitter {
  readonly id = 'id';
  #records = new Map([[1, { id: 1, name: 'a' }]]);
  async get(id: number, _params?: object) {
    return this.#records.get(id);
  }
  async custom(data: unknown, _params?: object) {
    return { data, size: this.#records.size };
  }
}

describe('wrapService', () => {
  it('wraps the listed methods only and binds the rest to the service', async () => {
    const calls: string[] = [];
    const store = new Store();
    const wrapped = wrapService(store, ['get'], (name, original) => async (...args) => {
      calls.push(name);
      return original(...args);
    });
    expect(await wrapped.get(1)).toEqual({ id: 1, name: 'a' });
    expect(await wrapped.custom('x')).toEqual({ data: 'x', size: 1 });
    expect(calls).toEqual(['get']);
    expect(wrapped.id).toBe('id');
    const listener = vi.fn();
    wrapped.on('created', listener);
    store.emit('created', { id: 2 });
    expect(listener).toHaveBeenCalledWith({ id: 2 });
  });

  it('returns the same wrapper until the method is replaced, then wraps the new one', async () => {
    const store = new Store();
    const wrapped = wrapService(store, ['get'], (_name, original) => original);
    expect(wrapped.get).toBe(wrapped.get);
    store.get = async () => ({ id: 9, name: 'spy' });
    expect(await wrapped.get(1)).toEqual({ id: 9, name: 'spy' });
  });
});

describe('serviceCallParams', () => {
  it.each([
    ['find', [{ provider: 'rest' }], 0],
    ['get', [1, { provider: 'rest' }], 1],
    ['update', [1, {}, { provider: 'rest' }], 2],
    ['patch', [1, {}, { provider: 'rest' }], 2],
    ['custom', [{}, { provider: 'rest' }], 1],
  ])('%s takes its params at %#', (method, args, position) => {
    expect(serviceCallParams(method, args)).toEqual({ position, params: { provider: 'rest' } });
  });

  it('gives empty params when the call has none', () => {
    expect(serviceCallParams('get', [1])).toEqual({ position: 1, params: {} });
  });

  it('lists the standard methods', () => {
    expect(SERVICE_METHODS).toEqual(['find', 'get', 'create', 'update', 'patch', 'remove']);
  });
});
