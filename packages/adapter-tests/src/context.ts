import { afterEach, beforeEach, expect } from 'vitest';
import type { EntityService, Id, PaginateOptions } from '@org/core';

/** What a conformance setup returns: a fresh, empty service and how to dispose of it. */
export interface EntityServiceFixture {
  /** A fresh, empty service, isolated from every other test's. */
  service: EntityService<any>;
  /** Releases what `setup` created (close a database, drop a table); awaited after each test. */
  cleanup?: () => unknown;
}

/** Optional behaviour an adapter declares, so the suite runs the matching cases without edits. */
export interface EntityServiceCapabilities {
  /**
   * The type of the ids the service assigns.
   * @defaultValue `'number'`
   */
  idType?: 'number' | 'string';
  /**
   * Fields the service was set up to keep unique (the suite's records use `email` and `username`);
   * each one gets the `Conflict` cases. Empty skips them.
   * @defaultValue `[]`
   */
  uniqueFields?: Array<'email' | 'username'>;
  /**
   * Whether the service emits `created`, `patched` and `removed`.
   * @defaultValue `true`
   */
  events?: boolean;
}

/** Options for {@link entityServiceConformance}. */
export interface ConformanceOptions {
  /** Called before every test: returns a fresh, empty service (isolation is part of the contract). */
  setup: () => EntityServiceFixture | Promise<EntityServiceFixture>;
  /**
   * Optional: returns a fresh, empty service configured with Feathers' `paginate`; when given, the
   * pagination cases run against it.
   */
  setupPaginated?: (paginate: PaginateOptions) => EntityServiceFixture | Promise<EntityServiceFixture>;
  /**
   * Optional: returns a fresh, empty service with number ids configured with Feathers' `startId`; when
   * given, the `startId` cases run against it.
   */
  setupStartId?: (startId: number) => EntityServiceFixture | Promise<EntityServiceFixture>;
  /** What the adapter supports; see {@link EntityServiceCapabilities}. */
  capabilities?: EntityServiceCapabilities;
}

/** The per-test state every case reads. */
export interface SuiteContext {
  readonly service: EntityService<any>;
  readonly idField: string;
  readonly capabilities: Required<EntityServiceCapabilities>;
}

export function createContext(options: ConformanceOptions): SuiteContext {
  const capabilities: Required<EntityServiceCapabilities> = {
    idType: 'number',
    uniqueFields: [],
    events: true,
    ...options.capabilities,
  };
  let fixture: EntityServiceFixture | undefined;
  beforeEach(async () => {
    fixture = await options.setup();
  });
  afterEach(async () => {
    const done = fixture;
    fixture = undefined;
    await done?.cleanup?.();
  });
  return {
    capabilities,
    get service() {
      if (!fixture) throw new Error('The conformance setup has not run');
      return fixture.service;
    },
    get idField() {
      return this.service.id ?? 'id';
    },
  };
}

/** A person record as the suite creates it. */
export interface Person {
  name: string;
  email: string;
  username: string;
  age: number;
  active: boolean;
  team: string;
  nickname?: string | null;
  profile?: { city: string };
}

export const PEOPLE: readonly Person[] = [
  { name: 'Ada', email: 'ada@example.com', username: 'ada', age: 36, active: true, team: 'red' },
  { name: 'Bob', email: 'bob@example.com', username: 'bob', age: 25, active: false, team: 'blue' },
  {
    name: 'Cyd',
    email: 'cyd@example.com',
    username: 'cyd',
    age: 36,
    active: true,
    team: 'blue',
    profile: { city: 'Paris' },
  },
  {
    name: 'Dee',
    email: 'dee@example.com',
    username: 'dee',
    age: 19,
    active: false,
    team: 'red',
    nickname: null,
  },
];

/** Creates the four {@link PEOPLE} one after the other (so creation order is known). */
export async function seed(ctx: SuiteContext): Promise<Array<Record<string, any>>> {
  const created = [];
  for (const person of PEOPLE) created.push(await ctx.service.create(structuredClone(person)));
  return created;
}

/** `find` may resolve with an array or a Feathers page: the suite reads the records either way. */
export async function findAll(ctx: SuiteContext, query?: Record<string, unknown>): Promise<any[]> {
  const result = await ctx.service.find(query === undefined ? {} : { query });
  return Array.isArray(result) ? result : result.data;
}

export function names(records: Array<Record<string, any>>): string[] {
  return records.map((r) => r.name);
}

export function idOf(ctx: SuiteContext, record: Record<string, any>): Id {
  return record[ctx.idField];
}

/** Resolves with the rejection reason, failing the test when the promise resolves. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(outcome.ok, 'expected the call to reject').toBe(false);
  return outcome.ok ? undefined : outcome.error;
}

/** An id of the service's type that no record has. */
export function missingId(ctx: SuiteContext): Id {
  return ctx.capabilities.idType === 'number' ? 987654321 : 'no-such-id-0000';
}
