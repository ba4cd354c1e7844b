// Blocks an IP after too many failed logins in a sliding window. With Redis the count is shared by all
// server processes; otherwise it is kept in memory.
import type { Redis } from 'ioredis';

export interface LoginLimiter {
  /** Seconds to wait when the IP is blocked, else 0. */
  blockedFor(ip: string): Promise<number>;
  recordFailure(ip: string): Promise<void>;
  reset(ip: string): Promise<void>;
}

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 5 * 60;

export class MemoryLoginLimiter implements LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  private recent(ip: string, now = Date.now()): number[] {
    const kept = (this.failures.get(ip) ?? []).filter((t) => t > now - WINDOW_SECONDS * 1000);
    if (kept.length) this.failures.set(ip, kept);
    else this.failures.delete(ip);
    return kept;
  }

  async blockedFor(ip: string): Promise<number> {
    const times = this.recent(ip);
    if (times.length < MAX_FAILURES) return 0;
    return Math.max(1, Math.ceil((times[times.length - MAX_FAILURES] + WINDOW_SECONDS * 1000 - Date.now()) / 1000));
  }

  async recordFailure(ip: string): Promise<void> {
    this.failures.set(ip, [...this.recent(ip), Date.now()]);
  }

  async reset(ip: string): Promise<void> {
    this.failures.delete(ip);
  }
}

export class RedisLoginLimiter implements LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(ip: string) {
    return `${this.prefix}:login-failures:${ip}`;
  }

  async blockedFor(ip: string): Promise<number> {
    const now = Date.now();
    const key = this.key(ip);
    await this.redis.zremrangebyscore(key, 0, now - WINDOW_SECONDS * 1000);
    // Members are "<epoch ms>-<random>", so the time of each failure is read from the member itself.
    const members = await this.redis.zrange(key, String(-MAX_FAILURES), '-1');
    if (members.length < MAX_FAILURES) return 0;
    const oldest = Number(members[0].split('-')[0]);
    return Math.max(1, Math.ceil((oldest + WINDOW_SECONDS * 1000 - now) / 1000));
  }

  async recordFailure(ip: string): Promise<void> {
    const now = Date.now();
    const key = this.key(ip);
    await this.redis
      .multi()
      .zadd(key, now, `${now}-${Math.random().toString(36).slice(2)}`)
      .pexpire(key, WINDOW_SECONDS * 1000)
      .exec();
  }

  async reset(ip: string): Promise<void> {
    await this.redis.del(this.key(ip));
  }
}
