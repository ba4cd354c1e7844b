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

const ISSUER = 'https://auth.example.com/application/o/reflector/';

describe('sign-in configuration', () => {
  it('derives the provider and the login requirement from AUTH_BACKEND', () => {
    expect(loadConfig({})).toMatchObject({ authProvider: null, requireLogin: false });
    expect(loadConfig({ AUTH_BACKEND: 'password' })).toMatchObject({ authProvider: 'credentials', requireLogin: true });
    expect(loadConfig({ AUTH_BACKEND: 'jwt', AUTHENTIK_ISSUER: ISSUER, AUTHENTIK_CLIENT_ID: 'c' })).toMatchObject({
      authProvider: 'authentik',
      requireLogin: true,
      oidcIssuer: ISSUER,
    });
    // Tokens from elsewhere only (API use): no web sign-in without a client id.
    expect(loadConfig({ AUTH_BACKEND: 'jwt', AUTH_JWT_ISSUER: ISSUER })).toMatchObject({ authProvider: null, requireLogin: true });
    expect(loadConfig({ AUTH_BACKEND: 'password', FEATURE_REQUIRE_LOGIN: 'false' }).requireLogin).toBe(false);
    expect(loadConfig({ AUTH_BACKEND: 'password', AUTH_PROVIDER: '' }).authProvider).toBe('credentials');
  });

  it('names what AUTH_PROVIDER=authentik is missing', () => {
    expect(problems({ AUTH_BACKEND: 'jwt', AUTH_PROVIDER: 'authentik' })).toEqual([
      'AUTHENTIK_ISSUER: required when AUTH_PROVIDER=authentik (the OIDC issuer URL, e.g. https://authentik.example.com/application/o/reflector/)',
      'AUTHENTIK_CLIENT_ID: required when AUTH_PROVIDER=authentik (the client id of the OIDC application)',
    ]);
    expect(problems({ AUTH_BACKEND: 'password', AUTH_PROVIDER: 'authentik', AUTHENTIK_ISSUER: ISSUER, AUTHENTIK_CLIENT_ID: 'c' })).toEqual([
      'AUTH_PROVIDER: authentik needs AUTH_BACKEND=jwt (got AUTH_BACKEND=password)',
    ]);
  });

  it('refuses credentials without password sign-in, and a required login nobody can satisfy', () => {
    expect(problems({ AUTH_PROVIDER: 'credentials' })).toEqual(['AUTH_PROVIDER: credentials needs AUTH_BACKEND=password (got AUTH_BACKEND=none)']);
    expect(problems({ FEATURE_REQUIRE_LOGIN: 'true' })[0]).toMatch(/^FEATURE_REQUIRE_LOGIN: true needs a sign-in backend/);
    expect(problems({ AUTH_PROVIDER: 'okta' })[0]).toMatch(/^AUTH_PROVIDER:/);
    expect(problems({ AUTH_BACKEND: 'jwt', AUTHENTIK_ISSUER: 'not a url', AUTHENTIK_CLIENT_ID: 'c' })[0]).toMatch(/^AUTHENTIK_ISSUER: must be a URL/);
  });
});
