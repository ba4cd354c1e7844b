// The admin user of AUTH_BACKEND=password, created or updated at start from ADMIN_EMAIL and
// ADMIN_PASSWORD_HASH. Running it again is harmless; a changed hash takes effect.
import type { AppContext } from '../context.ts';
import { upsertPasswordUser } from './users.ts';

export async function provisionAdmin(ctx: Pick<AppContext, 'config' | 'database' | 'log'>): Promise<void> {
  const { AUTH_BACKEND, ADMIN_EMAIL, ADMIN_PASSWORD_HASH } = ctx.config;
  if (AUTH_BACKEND !== 'password') return;
  if (!ADMIN_EMAIL || !ADMIN_PASSWORD_HASH) {
    ctx.log.warn('AUTH_BACKEND=password without ADMIN_EMAIL and ADMIN_PASSWORD_HASH: nobody can sign in until a user is created with `reflector create-admin`');
    return;
  }
  const user = await upsertPasswordUser(ctx.database, ADMIN_EMAIL, ADMIN_PASSWORD_HASH);
  ctx.log.info({ email: user.email }, 'admin user provisioned');
}
