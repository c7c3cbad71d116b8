import { describe, expect, it } from 'vitest';
import { PLAIN_READ, isPlainRead } from './plain-read.ts';
import { wrapService } from './wrap-service.ts';

class Store {
  async get(id: string) {
    return { id };
  }
  async find() {
    return [];
  }
  async create(data: object) {
    return data;
  }
  async patch(id: string) {
    return { id };
  }
  async remove(id: string) {
    return { id };
  }
}
Object.defineProperty(Store.prototype.get, PLAIN_READ, { value: true });

describe('PLAIN_READ', () => {
  it('is a registered symbol, so two copies of @org/core agree on it', () => {
    expect(PLAIN_READ).toBe(Symbol.for('@org/core/plain-read'));
  });

  it('marks the service whose get carries it', () => {
    expect(isPlainRead(new Store())).toBe(true);
  });

  it('is lost by anything that replaces get: a subclass, wrapService, an own method', () => {
    class Hooked extends Store {
      override async get(id: string) {
        return { ...(await super.get(id)), hooked: true };
      }
    }
    const wrapped = wrapService(new Store(), ['get'], (_name, original) => original);
    const own = Object.assign(new Store(), { get: async (id: string) => ({ id }) });
    for (const service of [new Hooked(), wrapped, own]) expect(isPlainRead(service)).toBe(false);
  });

  it('is not read from the service object itself', () => {
    const service = Object.assign(new (class extends Store {})(), { [PLAIN_READ]: true });
    Object.defineProperty(service, 'get', { value: async () => ({}) });
    expect(isPlainRead(service)).toBe(false);
  });
});
