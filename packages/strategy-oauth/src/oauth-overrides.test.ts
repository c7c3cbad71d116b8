import type { Params } from '@org/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { OAuthLogin } from './oauth-login.ts';
import { OAuthStrategy, type OAuthProfile } from './oauth-strategy.ts';
import { TestBrowser } from './test-browser.ts';
import { codeOf, exchange, loginThrough, startTestApp, type TestApp } from './test-app.ts';

// Feathers' overridable methods, each overridden in a subclass registered as the `test` provider and
// driven through the real flow (oidc-provider's login and consent, the callback, the code exchange):
// the override must be called, and what it returns must decide the entity and the token's subject.

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function loginAs(account: string): Promise<{ user: Record<string, any>; sub: string }> {
  const browser = new TestBrowser();
  const back = await loginThrough(app!, browser, `${app!.api}/oauth/test`, account);
  const response = await exchange(app!, browser, codeOf(back));
  expect(response.status).toBe(201);
  const result = (await response.json()) as { user: Record<string, any>; accessToken: string };
  const { sub } = await app!.auth.verifyAccessToken(result.accessToken);
  return { user: result.user, sub: String(sub) };
}

async function usersWhere(query: Record<string, unknown>): Promise<Array<Record<string, any>>> {
  return app!.users.find({ query });
}

describe('OAuthStrategy overrides through the real flow', () => {
  it('getProfile: its result is the profile every later step reads (a field it adds reaches the entity)', async () => {
    const logins: OAuthLogin[] = [];
    class DirectoryStrategy extends OAuthStrategy {
      override async getProfile(login: OAuthLogin, params: Params): Promise<OAuthProfile> {
        logins.push(login);
        const profile = await super.getProfile(login, params);
        // An app namespacing provider ids per tenant and reading the plan from its own directory.
        return {
          ...profile,
          sub: `acme:${profile.sub}`,
          plan: profile.email === 'pat@example.com' ? 'pro' : 'free',
        };
      }

      override async getEntityData(
        profile: OAuthProfile,
        existing: Record<string, any> | null,
        params: Params,
      ) {
        return { ...(await super.getEntityData(profile, existing, params)), plan: profile.plan };
      }
    }
    app = await startTestApp({ testStrategy: DirectoryStrategy });

    const first = await loginAs('pat');
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ provider: 'test', claims: { sub: 'pat' }, profile: { sub: 'pat' } });
    expect(logins[0]!.accessToken).toEqual(expect.any(String));
    expect(logins[0]!.idToken).toMatch(/^eyJ[\w-]*\.[\w-]+\.[\w-]+$/);
    expect(first.user).toMatchObject({ testId: 'acme:pat', plan: 'pro' });
    expect(await app.users.get(first.user.id)).toMatchObject({ testId: 'acme:pat', plan: 'pro' });
    expect(first.sub).toBe(String(first.user.id));

    // The entity query is built from the overridden profile too: the second login finds the same user.
    const second = await loginAs('pat');
    expect(logins).toHaveLength(2);
    expect(second.user.id).toBe(first.user.id);
    expect(await usersWhere({ testId: 'pat' })).toEqual([]);
    expect(await usersWhere({ testId: 'acme:pat' })).toHaveLength(1);
  });

  it('findEntity: mapping a verified email to an existing local user logs in as that user', async () => {
    const looked: string[] = [];
    class EmailMatchStrategy extends OAuthStrategy {
      override async findEntity(profile: OAuthProfile, params: Params) {
        looked.push(String(profile.email));
        const linked = await super.findEntity(profile, params);
        // Only a provider that verified the address may claim an account by it.
        if (linked !== null || profile.email_verified !== true) return linked;
        const found = await this.entityService!.find({
          ...params,
          query: { email: profile.email, $limit: 1 },
        });
        return (Array.isArray(found) ? found : found.data)[0] ?? null;
      }
    }
    app = await startTestApp({ testStrategy: EmailMatchStrategy });
    const local = await app.users.create({ email: 'erin@example.com', name: 'Erin', role: 'editor' });

    const first = await loginAs('erin');
    expect(looked).toEqual(['erin@example.com']);
    expect(first.user.id).toBe(local.id);
    expect(first.sub).toBe(String(local.id));
    // The default updateEntity linked the provider to the user findEntity chose; nothing else was created.
    expect(await app.users.get(local.id)).toEqual({ ...local, testId: 'erin' });
    expect(await usersWhere({ email: 'erin@example.com' })).toHaveLength(1);

    // A provider account with no local user by that email still gets a new user.
    const other = await loginAs('gus');
    expect(other.user.id).not.toBe(local.id);
    expect(await usersWhere({})).toHaveLength(2);
  });

  it('createEntity: a first login writes what the override writes, and the token names that record', async () => {
    const created: string[] = [];
    class ProvisioningStrategy extends OAuthStrategy {
      override async createEntity(profile: OAuthProfile, params: Params) {
        created.push(String(profile.sub));
        const data = await this.getEntityData(profile, null, params);
        return this.entityService!.create(
          {
            ...data,
            email: profile.email,
            displayName: profile.name,
            roles: ['member'],
            provisionedBy: this.name,
          },
          params,
        );
      }
    }
    app = await startTestApp({ testStrategy: ProvisioningStrategy });

    const first = await loginAs('frank');
    expect(created).toEqual(['frank']);
    const stored = await app.users.get(first.user.id);
    expect(stored).toEqual({
      id: first.user.id,
      testId: 'frank',
      email: 'frank@example.com',
      displayName: 'User frank',
      roles: ['member'],
      provisionedBy: 'test',
    });
    expect(first.user).toEqual(stored);
    expect(first.sub).toBe(String(stored.id));

    // A later login finds the user: createEntity is not called again.
    const second = await loginAs('frank');
    expect(created).toEqual(['frank']);
    expect(second.user.id).toBe(first.user.id);
  });

  it('updateEntity: a later login writes what the override writes, and the token names the record it returns', async () => {
    const updated: unknown[] = [];
    class CountingStrategy extends OAuthStrategy {
      override async updateEntity(entity: Record<string, any>, profile: OAuthProfile, params: Params) {
        updated.push(entity.id);
        const data = await this.getEntityData(profile, entity, params);
        const logins = typeof entity.logins === 'number' ? entity.logins + 1 : 2;
        return this.entityService!.patch(entity.id, { ...data, logins, lastName: profile.name }, params);
      }
    }
    app = await startTestApp({ testStrategy: CountingStrategy });

    const first = await loginAs('hana');
    expect(updated).toEqual([]);
    expect(first.user).toEqual({ id: first.user.id, testId: 'hana' });

    const second = await loginAs('hana');
    expect(updated).toEqual([first.user.id]);
    expect(second.user).toEqual({ id: first.user.id, testId: 'hana', logins: 2, lastName: 'User hana' });
    expect(second.sub).toBe(String(first.user.id));

    const third = await loginAs('hana');
    expect(updated).toEqual([first.user.id, first.user.id]);
    expect(third.user.logins).toBe(3);
    expect(await app.users.get(first.user.id)).toMatchObject({ logins: 3 });
  });
});
