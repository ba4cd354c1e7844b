// Sign-in and the caller's own account: password login, /v1/me, and API keys.
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { generateApiKey, hashApiKey } from '../auth/api-keys.ts';
import { MemoryLoginLimiter, RedisLoginLimiter, type LoginLimiter } from '../auth/login-limiter.ts';
import { verifyPassword } from '../auth/password.ts';
import { currentUser, requireUser } from '../auth/policy.ts';
import { signSessionToken, SESSION_TTL_SECONDS } from '../auth/tokens.ts';
import { findUserByEmail } from '../auth/users.ts';
import { userApiKeys } from '../db/schema.ts';
import { HttpError, notFound } from '../errors.ts';
import { errorResponses } from './error-responses.ts';

const ApiKeyOut = z.object({ id: z.string(), user_id: z.string(), name: z.string().nullable(), created_at: z.string() });

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const limiter: LoginLimiter = ctx.redis ? new RedisLoginLimiter(ctx.redis, ctx.config.REDIS_PREFIX) : new MemoryLoginLimiter();

  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_login',
        summary: 'Sign in with email and password (AUTH_BACKEND=password)',
        body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
        response: {
          200: z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number() }),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request) => {
      if (ctx.config.AUTH_BACKEND !== 'password') throw new HttpError(400, 'Password sign-in is not enabled on this server');
      const ip = request.ip;
      const wait = await limiter.blockedFor(ip);
      if (wait > 0) throw new HttpError(429, 'Too many failed sign-in attempts; try again later', { 'retry-after': String(wait) });
      const { email, password } = request.body;
      const user = await findUserByEmail(ctx.database, email.trim());
      const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : false;
      if (!user || !ok) {
        await limiter.recordFailure(ip);
        throw new HttpError(401, 'Invalid email or password');
      }
      await limiter.reset(ip);
      const access_token = await signSessionToken(ctx.config.SECRET_KEY, { id: user.id, email: user.email });
      return { access_token, token_type: 'bearer' as const, expires_in: SESSION_TTL_SECONDS };
    },
  );

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_user_me',
        summary: 'The signed-in user, or null',
        response: { 200: z.object({ sub: z.string(), email: z.string().nullable() }).nullable(), ...errorResponses(401) },
      },
    },
    async (request) => currentUser(request),
  );

  app.post(
    '/v1/user/api-keys',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_create_api_key',
        body: z.object({ name: z.string().max(200).nullable().optional() }),
        response: { 200: ApiKeyOut.extend({ key: z.string() }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const key = generateApiKey();
      const [row] = await ctx.database.db
        .insert(userApiKeys)
        .values({ id: randomUUID(), userId: user.sub, keyHash: hashApiKey(key, ctx.config.SECRET_KEY), name: request.body.name ?? null })
        .returning();
      return { id: row.id, user_id: row.userId, name: row.name, created_at: row.createdAt.toISOString(), key };
    },
  );

  app.get(
    '/v1/user/api-keys',
    { schema: { tags: ['auth'], operationId: 'v1_list_api_keys', response: { 200: z.array(ApiKeyOut), ...errorResponses(401) } } },
    async (request) => {
      const user = requireUser(request);
      const rows = await ctx.database.db.select().from(userApiKeys).where(eq(userApiKeys.userId, user.sub)).orderBy(desc(userApiKeys.createdAt));
      return rows.map((r) => ({ id: r.id, user_id: r.userId, name: r.name, created_at: r.createdAt.toISOString() }));
    },
  );

  app.delete(
    '/v1/user/api-keys/:key_id',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_delete_api_key',
        params: z.object({ key_id: z.string() }),
        response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const deleted = await ctx.database.db
        .delete(userApiKeys)
        .where(and(eq(userApiKeys.id, request.params.key_id), eq(userApiKeys.userId, user.sub)))
        .returning({ id: userApiKeys.id });
      if (!deleted.length) throw notFound('API key not found');
      return { status: 'ok' as const };
    },
  );
};
