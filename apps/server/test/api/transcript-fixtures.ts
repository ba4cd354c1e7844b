// Data for the transcript API tests: users signed in with session tokens, and topics with words.
import { randomUUID } from 'node:crypto';
import { signSessionToken } from '../../src/auth/tokens.ts';
import type { AppContext } from '../../src/context.ts';
import type { Word } from '../../src/db/schema.ts';
import type { TopicInput } from '../../src/transcripts/content.ts';
import { startTestPlatform, type TestPlatform } from './harness.ts';

export interface TestUser {
  id: string;
  email: string;
  /** Authorization header for requests as this user (AUTH_BACKEND=password). */
  auth: Record<string, string>;
}

/** Inserts a user row and signs a session token for it. */
export async function createUser(ctx: AppContext, email = `${randomUUID().slice(0, 8)}@example.test`): Promise<TestUser> {
  const id = randomUUID();
  await ctx.database.query('INSERT INTO "user" (id, email) VALUES ($1, $2)', [id, email]);
  const token = await signSessionToken(ctx.config.SECRET_KEY, { id, email });
  return { id, email, auth: { authorization: `Bearer ${token}` } };
}

/** A platform with password sign-in and two users: the owner of the test's transcripts and someone else. */
export async function startSignedInPlatform(): Promise<{ platform: TestPlatform; owner: TestUser; other: TestUser }> {
  const platform = await startTestPlatform({ env: { AUTH_BACKEND: 'password' } });
  return { platform, owner: await createUser(platform.ctx), other: await createUser(platform.ctx) };
}

export const word = (text: string, start: number, end: number, speaker = 0): Word => ({ text, start, end, speaker });

/** Two topics, two speakers; the second starts after an hour to exercise MM:SS past 59 minutes. */
export function sampleTopics(): TopicInput[] {
  return [
    { id: 'topic-1', title: 'Greetings', summary: 'They say hello.', timestamp: 0, words: [word('Hello', 0, 1, 0), word(' world.', 1, 2, 0), word(' Hi', 2, 2.5, 1), word(' there.', 2.5, 3, 1)] },
    { id: 'topic-2', title: 'Question', summary: 'A question.', timestamp: 3661, words: [word('How', 3661, 3662, 1), word(' are', 3662, 3663, 1), word(' you?', 3663, 3664, 1)] },
  ];
}

export const NOT_UUID_IDS = ['not-a-uuid', '123', '%20', "x'; DROP TABLE transcript;--"];
