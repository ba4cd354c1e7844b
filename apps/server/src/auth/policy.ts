// Access rules, in one place. Who may read, mutate or manage a transcript depends on the auth backend,
// PUBLIC_MODE, the owner and the share mode.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { forbidden, unauthorized } from '../errors.ts';

export interface UserInfo {
  /** Internal user id. */
  sub: string;
  email: string | null;
}

export interface TranscriptAccess {
  user_id: string | null;
  share_mode: string;
  room_id?: string | null;
}

/** The signed-in user of a request, or null. Set by the authentication hook. */
export function currentUser(request: FastifyRequest): UserInfo | null {
  return request.user ?? null;
}

export function requireUser(request: FastifyRequest): UserInfo {
  const user = currentUser(request);
  if (!user) throw unauthorized();
  return user;
}

/** Listing and search: anonymous callers only in public mode. */
export function assertCanList(config: Config, user: UserInfo | null): void {
  if (!user && !config.PUBLIC_MODE) throw unauthorized();
}

export function canRead(user: UserInfo | null, t: TranscriptAccess, sharedRoom = false): boolean {
  if (t.user_id === null) return true;
  if (user && user.sub === t.user_id) return true;
  if (t.share_mode === 'public') return true;
  if (t.share_mode === 'semi-private' && user) return true;
  return sharedRoom && !!user;
}

export function assertCanRead(user: UserInfo | null, t: TranscriptAccess, sharedRoom = false): void {
  if (!canRead(user, t, sharedRoom)) throw forbidden('Transcript access denied');
}

/** PATCH, DELETE, share settings: the owner only; anonymous transcripts can never be changed. */
export function assertCanMutate(user: UserInfo | null, t: TranscriptAccess): void {
  if (!user) throw unauthorized();
  if (t.user_id === null || t.user_id !== user.sub) throw forbidden('Not authorized');
}

/** Participants and speakers: the owner only; anonymous transcripts are read-only for everyone. */
export function assertCanEditSpeakers(user: UserInfo | null, t: TranscriptAccess): void {
  assertCanMutate(user, t);
}

/** Creating transcripts: signed-in users, and anyone in public mode (the transcript is then anonymous). */
export function assertCanCreate(config: Config, user: UserInfo | null): void {
  if (!user && !config.PUBLIC_MODE) throw unauthorized();
}

/**
 * Upload, process, record: the owner of an owned transcript; for an anonymous one, whoever may create
 * transcripts (anonymous callers only in public mode: anonymous transcripts left from a time in public
 * mode stay readable, but nobody anonymous feeds them once it is off).
 */
export function assertCanFeed(config: Config, user: UserInfo | null, t: TranscriptAccess): void {
  if (t.user_id === null) return assertCanCreate(config, user);
  if (!user) throw unauthorized();
  if (user.sub !== t.user_id) throw forbidden('Not authorized');
}
