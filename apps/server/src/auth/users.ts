// User rows: the admin provisioned from the environment, and users created on first sight of an
// external identity (OIDC subject).
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { users } from '../db/schema.ts';

export type UserRow = typeof users.$inferSelect;

export async function findUserById(database: Database, id: string): Promise<UserRow | null> {
  const [row] = await database.db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

export async function findUserByEmail(database: Database, email: string): Promise<UserRow | null> {
  const [row] = await database.db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .limit(1);
  return row ?? null;
}

/** Creates the user with this email or updates its password hash; idempotent. */
export async function upsertPasswordUser(database: Database, email: string, passwordHash: string): Promise<UserRow> {
  const existing = await findUserByEmail(database, email);
  if (existing) {
    if (existing.passwordHash === passwordHash) return existing;
    const [row] = await database.db
      .update(users)
      .set({ passwordHash, updatedAt: new Date() })
      .where(eq(users.id, existing.id))
      .returning();
    return row;
  }
  const [row] = await database.db.insert(users).values({ id: randomUUID(), email, passwordHash }).returning();
  return row;
}

/** The user behind an external identity, created on first sight. */
export async function userForExternalSubject(database: Database, subject: string, email: string): Promise<UserRow> {
  const [found] = await database.db.select().from(users).where(eq(users.authentikUid, subject)).limit(1);
  if (found) {
    if (found.email !== email) {
      const [row] = await database.db.update(users).set({ email, updatedAt: new Date() }).where(eq(users.id, found.id)).returning();
      return row;
    }
    return found;
  }
  const [row] = await database.db
    .insert(users)
    .values({ id: randomUUID(), email, authentikUid: subject })
    .onConflictDoUpdate({ target: users.authentikUid, set: { email, updatedAt: new Date() } })
    .returning();
  return row;
}
