// Sign-up and "who am I". The password is hashed before the store sees it (scrypt, through the local
// strategy's hasher) and the users service is wrapped in protect('password'), so no response, and no
// `request.user`, ever carries the hash.
import { Conflict, isAuthError, type EntityService } from '@org/core';
import { hashPassword, type PasswordHasher } from '@org/strategy-local';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { checkBody } from '../validate.ts';

/** What the users routes need. */
export interface UserRoutesOptions {
  /** The users service, wrapped in `protect('password')`. */
  users: EntityService;
  /** The local strategy's hasher, so sign-up hashes with the parameters login verifies with. */
  hasher: PasswordHasher;
  /** The guard: sets `request.user` or answers 401. */
  requireUser: preHandlerHookHandler;
}

/**
 * `POST /users` (sign up: `{ email, password }`, 201 with the user) and `GET /users/me`.
 *
 * @param app - The Fastify instance.
 * @param options - The users service, the hasher and the guard.
 */
export async function userRoutes(app: FastifyInstance, options: UserRoutesOptions): Promise<void> {
  const { users, hasher, requireUser } = options;
  const hash = hashPassword('password', { hasher });

  app.post('/users', async (request, reply) => {
    const { email, password } = checkBody(request.body, ['email', 'password']);
    const record = await hash.data({ email, password, createdAt: new Date().toISOString() });
    try {
      // `provider` makes this an external call: protect() strips the hash from the result.
      const user = await users.create(record, { provider: 'rest' });
      return reply.code(201).send(user);
    } catch (error) {
      // The store's Conflict names its unique column; the client learns only that the email is taken.
      if (isAuthError(error) && error.code === 409) {
        throw new Conflict('This email is already registered');
      }
      throw error;
    }
  });

  app.get('/users/me', { preHandler: requireUser }, async (request) => request.user);
}
