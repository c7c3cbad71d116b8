import { EventEmitter } from 'node:events';
import {
  AuthenticationBaseStrategy,
  NotAuthenticated,
  NotFound,
  type AuthenticationRequest,
  type AuthenticationResult,
  type EntityService,
  type Id,
  type Params,
  type TokenIssuer,
} from '../src/index.ts';

type Row = Record<string, any>;

/** A minimal Map-based entity service (core tests must not depend on @org/adapter-memory). */
export class MapService extends EventEmitter implements EntityService<Row> {
  id: string;
  readonly store = new Map<string, Row>();
  #next = 1;

  constructor(id = 'id') {
    super();
    this.id = id;
  }

  async get(id: Id, _params?: Params): Promise<Row> {
    const row = this.store.get(String(id));
    if (row === undefined) throw new NotFound(`No record found for id '${id}'`);
    return { ...row };
  }

  async find(params: Params = {}): Promise<Row[]> {
    const { $limit, $skip, $select, $sort, ...where } = params.query ?? {};
    void $skip;
    void $select;
    void $sort;
    const rows = [...this.store.values()].filter((row) =>
      Object.entries(where).every(([key, value]) => row[key] === value),
    );
    return rows.slice(0, typeof $limit === 'number' ? $limit : undefined).map((row) => ({ ...row }));
  }

  async create(data: Partial<Row>, _params?: Params): Promise<Row> {
    const row = { ...data, [this.id]: data[this.id] ?? this.#next++ };
    this.store.set(String(row[this.id]), row);
    this.emit('created', row);
    return { ...row };
  }

  async patch(id: Id, data: Partial<Row>, _params?: Params): Promise<Row> {
    const row = { ...(await this.get(id)), ...data };
    this.store.set(String(id), row);
    this.emit('patched', row);
    return { ...row };
  }

  async remove(id: Id, _params?: Params): Promise<Row> {
    const row = await this.get(id);
    this.store.delete(String(id));
    this.emit('removed', row);
    return row;
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A fake token issuer: JWT-shaped, unsigned tokens with a fixed signature segment (core has no crypto). */
export class FakeIssuer implements TokenIssuer {
  readonly created: { payload: Record<string, unknown>; options: Record<string, unknown> }[] = [];
  readonly revoked: { token: string; payload: Record<string, unknown> }[] = [];
  readonly denied = new Set<string>();
  now = () => Math.floor(Date.now() / 1000);

  async createAccessToken(payload: Record<string, unknown>, options: Record<string, unknown> = {}) {
    this.created.push({ payload, options });
    const iat = this.now();
    const claims = { ...payload, iat, exp: iat + 3600, sub: options.subject, jti: options.jwtid };
    return `${b64({ alg: 'fake', typ: 'access' })}.${b64(claims)}.fake-signature`;
  }

  async verifyAccessToken(token: string) {
    const [, body, signature] = token.split('.');
    if (body === undefined || signature !== 'fake-signature') {
      throw new NotAuthenticated('Invalid token', { reason: 'invalid-signature' });
    }
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    if (typeof payload.exp === 'number' && payload.exp <= this.now()) {
      throw new NotAuthenticated('Token expired', { reason: 'token-expired' });
    }
    if (this.denied.has(String(payload.jti))) {
      throw new NotAuthenticated('Token revoked', { reason: 'token-revoked' });
    }
    return payload;
  }

  async revokeAccessToken(token: string, payload: Record<string, unknown>) {
    this.revoked.push({ token, payload });
    this.denied.add(String(payload.jti));
  }
}

/** Reads a header from a Node request (`headers` object) or a Fetch `Request` (`Headers`). */
export function header(req: any, name: string): string | undefined {
  const headers = req?.headers;
  if (typeof headers?.get === 'function') return headers.get(name) ?? undefined;
  const value = headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Feathers' test Strategy1: `username: 'David'` logs in; parses `x-dave`. */
export class Strategy1 extends AuthenticationBaseStrategy {
  static result = { user: { id: 123, name: 'Dave' }, authenticated: true };

  async authenticate(authentication: AuthenticationRequest): Promise<AuthenticationResult> {
    if (authentication.username === 'David' || authentication.both) return { ...Strategy1.result };
    throw new NotAuthenticated('Invalid Dave');
  }

  async parse(req: unknown): Promise<AuthenticationRequest | null> {
    return header(req, 'x-dave') === undefined ? null : { strategy: this.name, username: 'David' };
  }
}

/** Feathers' test Strategy2: `password: 'supersecret'` logs in; parses `x-v2`. */
export class Strategy2 extends AuthenticationBaseStrategy {
  static result = { user: { name: 'Dave', password: 'supersecret' }, authenticated: true };

  async authenticate(authentication: AuthenticationRequest): Promise<AuthenticationResult> {
    const isV2 = authentication.v2 === true && authentication.password === 'supersecret';
    if (isV2 || authentication.both) return { ...Strategy2.result };
    throw new NotAuthenticated('Invalid v2 user');
  }

  async parse(req: unknown): Promise<AuthenticationRequest | null> {
    return header(req, 'x-v2') === undefined
      ? null
      : { strategy: this.name, v2: true, password: 'supersecret' };
  }
}

/** A small bearer-token strategy over the service's token issuer, shaped like the JWT strategy's results. */
export class BearerStrategy extends AuthenticationBaseStrategy {
  async parse(req: unknown): Promise<AuthenticationRequest | null> {
    const value = header(req, 'authorization');
    if (value === undefined) return null;
    const [scheme, token] = value.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) return null;
    return { strategy: this.name, accessToken: token };
  }

  async authenticate(data: AuthenticationRequest, params: Params): Promise<AuthenticationResult> {
    const auth = this.authentication as unknown as {
      verifyAccessToken(token: string): Promise<Record<string, unknown>>;
    };
    const accessToken = data.accessToken as string;
    const payload = await auth.verifyAccessToken(accessToken);
    const result: AuthenticationResult = {
      accessToken,
      authentication: { strategy: 'jwt', accessToken, payload },
    };
    const entity = this.authentication?.configuration.entity as string | null;
    const service = this.entityService;
    if (entity && service) {
      const { provider: _provider, ...rest } = params;
      result[entity] = await service.get(payload.sub as string, rest);
    }
    return result;
  }
}

/** A configuration for tests: secret, `users` service, `authStrategies: ['first', 'second']`. */
export function testConfiguration(extra: Record<string, unknown> = {}) {
  return {
    secret: 'supersecret',
    entity: 'user',
    service: 'users',
    authStrategies: ['first', 'second'],
    ...extra,
  };
}

/** A set-up service with a `users` record 1 (Ada), the `jwt` bearer strategy and a fake issuer. */
export async function bearerSetup(extra: Record<string, unknown> = {}) {
  const users = new MapService();
  await users.create({ id: 1, name: 'Ada' });
  const issuer = new FakeIssuer();
  const { AuthenticationService } = await import('../src/authentication-service.ts');
  const auth = new AuthenticationService(testConfiguration({ authStrategies: ['jwt'], ...extra }), {
    services: { users },
  });
  auth.register('jwt', new BearerStrategy());
  auth.register('first', new Strategy1());
  auth.setTokenIssuer(issuer);
  await auth.setup();
  const token = await auth.createAccessToken({}, { subject: '1' });
  return { auth, users, issuer, token };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
