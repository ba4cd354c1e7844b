import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('has embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(1250);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.TRANSCRIPT_STORAGE_BACKEND).toBe('local');
    expect(c.AUTH_BACKEND).toBe('none');
    expect(c.PUBLIC_MODE).toBe(true);
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('names every bad variable in one message', () => {
    const p = problems({ PORT: 'abc', PUBLIC_MODE: 'maybe', AUTH_BACKEND: 'ldap', LLM_URL: 'not a url' });
    expect(p).toHaveLength(4);
    expect(p.join('\n')).toMatch(/PORT: must be a whole number/);
    expect(p.join('\n')).toMatch(/PUBLIC_MODE: must be true or false/);
    expect(p.join('\n')).toMatch(/AUTH_BACKEND:/);
    expect(p.join('\n')).toMatch(/LLM_URL: must be a URL/);
  });

  it('requires S3 credentials for the aws storage backend', () => {
    const p = problems({ TRANSCRIPT_STORAGE_BACKEND: 'aws' });
    expect(p).toEqual([
      'TRANSCRIPT_STORAGE_AWS_ACCESS_KEY_ID: required when TRANSCRIPT_STORAGE_BACKEND=aws',
      'TRANSCRIPT_STORAGE_AWS_SECRET_ACCESS_KEY: required when TRANSCRIPT_STORAGE_BACKEND=aws',
    ]);
  });

  it('builds the Redis URL from REDIS_HOST/REDIS_PORT, and prefers REDIS_URL', () => {
    expect(loadConfig({ REDIS_HOST: 'redis', REDIS_PORT: '6380' }).redisUrl).toBe('redis://redis:6380/0');
    expect(loadConfig({ REDIS_HOST: 'redis', REDIS_URL: 'redis://other:1/2' }).redisUrl).toBe('redis://other:1/2');
  });

  it("accepts the reference product's DATABASE_URL dialect and beat interval alias", () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql+asyncpg://u:p@db:5432/reflector', CELERY_BEAT_POLL_INTERVAL: '300' });
    expect(c.DATABASE_URL).toBe('postgresql://u:p@db:5432/reflector');
    expect(c.beatPollInterval).toBe(300);
  });

  it('treats empty values as unset and never echoes secrets', () => {
    expect(loadConfig({ LLM_URL: '', REDIS_HOST: '' }).LLM_URL).toBeUndefined();
    const p = problems({ SECRET_KEY: '' });
    expect(p[0]).toMatch(/^SECRET_KEY:/);
    expect(p[0]).not.toContain('got');
  });
});
