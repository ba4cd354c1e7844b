// Typed configuration read from the environment (and `.env`), validated once at start.
// Variable names follow the reference product so that existing `.env` files carry over.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''].includes(v), 'must be true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const num = (min: number) =>
  z
    .string()
    .trim()
    .refine((v) => v !== '' && Number.isFinite(Number(v)), 'must be a number')
    .transform(Number)
    .refine((n) => n >= min, `must be at least ${min}`);

const url = z.string().trim().url('must be a URL such as http://host:port');
/** Unset and empty both mean "not configured". */
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const optionalUrl = optional.pipe(url.optional());

/** Every variable the program reads, with its default. The README's reference table mirrors this. */
const schema = z.object({
  PORT: int(0, 65535).default(1250),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  ROOT_PATH: z.string().default('/'),
  BASE_URL: url.default('http://localhost:1250'),
  UI_BASE_URL: url.default('http://localhost:1250'),
  CORS_ORIGIN: z.string().default('*'),
  CORS_ALLOW_CREDENTIALS: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: optional.pipe(
    z
      .string()
      .transform((v) => v.replace(/^postgresql\+asyncpg:/, 'postgresql:'))
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgresql:// URL')
      .optional(),
  ),

  REDIS_URL: optionalUrl,
  REDIS_HOST: optional,
  REDIS_PORT: int(1, 65535).default(6379),
  REDIS_DB: int(0, 15).default(0),
  /** Prefix of queue keys and pub/sub channels, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only').default('reflector'),

  SECRET_KEY: z.string().min(1, 'must not be empty').default('changeme-f02f86fd8b3e4fd892c6043e5a298e21'),
  AUTH_BACKEND: z.enum(['none', 'password', 'jwt']).default('none'),
  PUBLIC_MODE: bool.default(true),
  PUBLIC_DATA_RETENTION_DAYS: int(1).default(7),
  ADMIN_EMAIL: optional,
  ADMIN_PASSWORD_HASH: optional,
  AUTH_JWT_ALGORITHM: z.string().default('RS256'),
  AUTH_JWT_PUBLIC_KEY: optional,
  AUTH_JWT_AUDIENCE: optional,
  /** OIDC issuer whose discovery document gives the JWKS (e.g. an Authentik application URL). */
  AUTH_JWT_ISSUER: optionalUrl,
  AUTH_JWT_JWKS_URL: optionalUrl,
  AUTHENTIK_ISSUER: optionalUrl,
  /** The web app's sign-in: `credentials` (email and password) or `authentik` (any OIDC provider). */
  AUTH_PROVIDER: z.enum(['credentials', 'authentik', '']).optional(),
  /** The web app asks for sign-in before showing any page. */
  FEATURE_REQUIRE_LOGIN: bool.optional(),
  AUTHENTIK_CLIENT_ID: optional,
  AUTHENTIK_CLIENT_SECRET: optional,
  AUTHENTIK_REFRESH_TOKEN_URL: optionalUrl,

  TRANSCRIPT_STORAGE_BACKEND: z
    .enum(['local', 'aws', ''])
    .default('')
    .transform((v) => (v === '' ? 'local' : v)),
  TRANSCRIPT_STORAGE_AWS_BUCKET_NAME: z.string().default('reflector-bucket'),
  TRANSCRIPT_STORAGE_AWS_REGION: z.string().default('us-east-1'),
  TRANSCRIPT_STORAGE_AWS_ACCESS_KEY_ID: optional,
  TRANSCRIPT_STORAGE_AWS_SECRET_ACCESS_KEY: optional,
  TRANSCRIPT_STORAGE_AWS_ENDPOINT_URL: optionalUrl,

  TRANSCRIPT_BACKEND: z.string().default('auto'),
  TRANSCRIPT_URL: optionalUrl,
  TRANSCRIPT_MODAL_API_KEY: optional,
  TRANSCRIPT_TIMEOUT: num(1).default(90),
  TRANSCRIPT_FILE_TIMEOUT: num(1).default(600),
  DIARIZATION_ENABLED: bool.default(true),
  DIARIZATION_BACKEND: z.string().default('auto'),
  DIARIZATION_URL: optionalUrl,
  DIARIZATION_MODAL_API_KEY: optional,
  DIARIZATION_FILE_TIMEOUT: num(1).default(600),
  TRANSLATION_BACKEND: z.string().default('auto'),
  TRANSLATE_URL: optionalUrl,
  // The reference documents TRANSLATE_MODAL_API_KEY but reads TRANSLATION_MODAL_API_KEY; both are honoured.
  TRANSLATION_MODAL_API_KEY: optional,
  TRANSLATE_MODAL_API_KEY: optional,
  TRANSLATE_TIMEOUT: num(1).default(90),
  MODELS_DIR: optional,

  LLM_URL: optionalUrl,
  LLM_API_KEY: optional,
  LLM_MODEL: z.string().default('microsoft/phi-4'),
  LLM_CONTEXT_WINDOW: int(512).default(16000),
  LLM_PARSE_MAX_RETRIES: int(0, 20).default(3),
  LLM_STRUCTURED_RESPONSE_TIMEOUT: num(1).default(300),
  LLM_REQUEST_RETRIES: int(0, 10).default(3),

  BEAT_POLL_INTERVAL: int(0).optional(),
  CELERY_BEAT_POLL_INTERVAL: int(0).optional(),
  HEALTHCHECK_URL: optionalUrl,

  UPLOAD_MAX_CHUNK_BYTES: int(1).default(1024 * 1024 * 1024),
  JOB_CONCURRENCY: int(1, 64).default(2),
  /** With Redis: how long a running job's lock lasts without renewal; a dead worker's job is taken over after about this plus JOB_STALLED_INTERVAL_MS. */
  JOB_LOCK_DURATION_MS: int(1000).default(20_000),
  /** With Redis: how often workers look for jobs whose worker died. */
  JOB_STALLED_INTERVAL_MS: int(500).default(10_000),
});

type Raw = z.infer<typeof schema>;

export interface Config extends Raw {
  /** Absolute path of DATA_DIR. */
  dataDir: string;
  /** Redis connection URL when Redis is configured (REDIS_URL or REDIS_HOST), else undefined. */
  redisUrl?: string;
  /** Seconds between periodic jobs; 0 means each job's own default. */
  beatPollInterval: number;
  /** Absolute path of MODELS_DIR (default DATA_DIR/models). */
  modelsDir: string;
  /** How people sign in to the web app (AUTH_PROVIDER, or derived from AUTH_BACKEND); null: they cannot. */
  authProvider: 'credentials' | 'authentik' | null;
  /** FEATURE_REQUIRE_LOGIN, defaulting to true when a sign-in backend is configured. */
  requireLogin: boolean;
  /** The OIDC issuer the web sign-in talks to (AUTHENTIK_ISSUER, else AUTH_JWT_ISSUER). */
  oidcIssuer?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present in the working directory) underneath the real environment. */
export function readEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(env: Record<string, string | undefined> = readEnv()): Config {
  // Only pass variables the schema knows; empty strings count as unset for optional values.
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined) input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const shown = name.includes('SECRET') || name.includes('PASSWORD') || name.includes('KEY') ? '' : ` (got "${env[name]}")`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const raw = result.data;
  const problems: string[] = [];
  if (raw.TRANSCRIPT_STORAGE_BACKEND === 'aws') {
    if (!raw.TRANSCRIPT_STORAGE_AWS_ACCESS_KEY_ID) problems.push('TRANSCRIPT_STORAGE_AWS_ACCESS_KEY_ID: required when TRANSCRIPT_STORAGE_BACKEND=aws');
    if (!raw.TRANSCRIPT_STORAGE_AWS_SECRET_ACCESS_KEY) problems.push('TRANSCRIPT_STORAGE_AWS_SECRET_ACCESS_KEY: required when TRANSCRIPT_STORAGE_BACKEND=aws');
  }
  if (raw.AUTH_BACKEND === 'password' && raw.ADMIN_PASSWORD_HASH && !raw.ADMIN_PASSWORD_HASH.startsWith('pbkdf2:sha256:')) {
    problems.push('ADMIN_PASSWORD_HASH: must look like pbkdf2:sha256:100000$<salt>$<hash> (see `reflector create-admin --hash-only`)');
  }
  const explicitProvider = raw.AUTH_PROVIDER || undefined;
  const oidcIssuer = raw.AUTHENTIK_ISSUER ?? raw.AUTH_JWT_ISSUER;
  // AUTH_BACKEND=jwt without a client id still accepts tokens obtained elsewhere (API use), so the derived
  // provider is authentik only when the web app has a client to sign in with.
  const authProvider =
    explicitProvider ?? (raw.AUTH_BACKEND === 'password' ? 'credentials' : raw.AUTH_BACKEND === 'jwt' && raw.AUTHENTIK_CLIENT_ID ? 'authentik' : null);
  if (explicitProvider === 'credentials' && raw.AUTH_BACKEND !== 'password') {
    problems.push(`AUTH_PROVIDER: credentials needs AUTH_BACKEND=password (got AUTH_BACKEND=${raw.AUTH_BACKEND})`);
  }
  if (authProvider === 'authentik') {
    if (raw.AUTH_BACKEND !== 'jwt') problems.push(`AUTH_PROVIDER: authentik needs AUTH_BACKEND=jwt (got AUTH_BACKEND=${raw.AUTH_BACKEND})`);
    if (!oidcIssuer) problems.push('AUTHENTIK_ISSUER: required when AUTH_PROVIDER=authentik (the OIDC issuer URL, e.g. https://authentik.example.com/application/o/reflector/)');
    if (!raw.AUTHENTIK_CLIENT_ID) problems.push('AUTHENTIK_CLIENT_ID: required when AUTH_PROVIDER=authentik (the client id of the OIDC application)');
  }
  if (raw.FEATURE_REQUIRE_LOGIN === true && raw.AUTH_BACKEND === 'none') {
    problems.push('FEATURE_REQUIRE_LOGIN: true needs a sign-in backend (AUTH_BACKEND=password or jwt); with AUTH_BACKEND=none nobody could sign in');
  }
  if (problems.length) throw new ConfigError(problems);

  const redisUrl = raw.REDIS_URL ?? (raw.REDIS_HOST ? `redis://${raw.REDIS_HOST}:${raw.REDIS_PORT}/${raw.REDIS_DB}` : undefined);
  return {
    ...raw,
    dataDir: path.resolve(raw.DATA_DIR),
    modelsDir: path.resolve(raw.MODELS_DIR ?? path.join(raw.DATA_DIR, 'models')),
    redisUrl,
    beatPollInterval: raw.BEAT_POLL_INTERVAL ?? raw.CELERY_BEAT_POLL_INTERVAL ?? 0,
    authProvider,
    requireLogin: raw.FEATURE_REQUIRE_LOGIN ?? raw.AUTH_BACKEND !== 'none',
    oidcIssuer,
  };
}
