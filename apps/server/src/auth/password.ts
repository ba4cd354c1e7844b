// Password hashes in the reference's format: pbkdf2:sha256:<iterations>$<salt>$<hex digest>.
import { pbkdf2 as pbkdf2Cb, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2 = promisify(pbkdf2Cb);
export const PBKDF2_ITERATIONS = 100_000;
const SALT_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomSalt(length = 16): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => SALT_ALPHABET[b % SALT_ALPHABET.length]).join('');
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomSalt();
  const digest = await pbkdf2(password, salt, iterations, 32, 'sha256');
  return `pbkdf2:sha256:${iterations}$${salt}$${digest.toString('hex')}`;
}

const FORMAT = /^pbkdf2:sha256:(\d+)\$([^$]+)\$([0-9a-f]+)$/;

export function isPasswordHash(value: string): boolean {
  return FORMAT.test(value);
}

/** Constant-time check of a password against a stored hash; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const iterations = Number(m[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 10_000_000) return false;
  const expected = Buffer.from(m[3], 'hex');
  const actual = await pbkdf2(password, m[2], iterations, expected.length, 'sha256');
  return expected.length > 0 && timingSafeEqual(expected, actual);
}
