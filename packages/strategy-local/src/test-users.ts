import { EventEmitter } from 'node:events';
import { BadRequest, NotFound, type EntityService, type Id, type Params } from '@org/core';
import { getPath } from './dot-path.ts';

type Row = Record<string, any>;

/**
 * A Map-based user store for the strategy tests (the adapters are tested end to end separately):
 * equality on dot paths, `$limit`, the contract's 400 for non-scalar query values, change events,
 * and, like the `get` hook of Feathers' own local-strategy fixture, `fromGet: true` on external `get`s.
 */
export class TestUsers extends EventEmitter implements EntityService<Row> {
  readonly id = 'id';
  readonly rows = new Map<string, Row>();
  readonly calls: { method: string; query?: unknown }[] = [];
  #next = 1;

  async get(id: Id, params: Params = {}): Promise<Row> {
    this.calls.push({ method: 'get' });
    const row = this.rows.get(String(id));
    if (row === undefined) throw new NotFound(`No record found for id '${id}'`);
    return params.provider ? { ...structuredClone(row), fromGet: true } : structuredClone(row);
  }

  async find(params: Params = {}): Promise<Row[]> {
    this.calls.push({ method: 'find', query: params.query });
    const { $limit, ...where } = params.query ?? {};
    for (const value of Object.values(where)) {
      if (value !== null && typeof value === 'object')
        throw new BadRequest('Invalid query', { reason: 'invalid-query' });
    }
    const rows = [...this.rows.values()].filter((row) =>
      Object.entries(where).every(([path, value]) => getPath(row, path) === value),
    );
    return rows.slice(0, typeof $limit === 'number' ? $limit : undefined).map((row) => structuredClone(row));
  }

  async create(data: Partial<Row>): Promise<Row> {
    const row = { ...structuredClone(data), id: data.id ?? this.#next++ };
    this.rows.set(String(row.id), row);
    this.emit('created', row);
    return structuredClone(row);
  }

  async patch(id: Id, data: Partial<Row>): Promise<Row> {
    this.calls.push({ method: 'patch' });
    const row = { ...(await this.get(id)), ...structuredClone(data) };
    this.rows.set(String(id), row);
    this.emit('patched', row);
    return structuredClone(row);
  }

  async remove(id: Id): Promise<Row> {
    const row = await this.get(id);
    this.rows.delete(String(id));
    this.emit('removed', row);
    return row;
  }
}
