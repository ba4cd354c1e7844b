// API keys: 48 random bytes, URL-safe base64 (64 characters), shown once; stored as a hex HMAC-SHA256
// keyed with SECRET_KEY, so a database leak does not reveal usable keys.
import { createHmac, randomBytes } from 'node:crypto';

export function generateApiKey(): string {
  return randomBytes(48).toString('base64url');
}

export function hashApiKey(key: string, secret: string): string {
  return createHmac('sha256', secret).update(key).digest('hex');
}
