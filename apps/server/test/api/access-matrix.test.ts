// The access matrix: every route of the OpenAPI document (plus the few it does not list), called by every
// kind of caller, on transcripts of every share mode and an anonymous one, in each auth configuration. The
// expected outcome of each cell comes from the RULES table below, keyed by "METHOD /path"; a route without
// an entry fails the test, so a new route cannot ship without an access rule.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { signSessionToken } from '../../src/auth/tokens.ts';
import { userApiKeys } from '../../src/db/schema.ts';
import { mutateTranscript, setTopics } from '../../src/transcripts/content.ts';
import { audioKey, waveformKey } from '../../src/transcripts/files.ts';
import { createTranscript } from '../../src/transcripts/repository.ts';
import { startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';
import { createUser, sampleTopics, type TestUser } from './transcript-fixtures.ts';

// ---------------------------------------------------------------------------------------------------
// Configurations, callers and transcripts

interface Config {
  name: string;
  auth: 'password' | 'none';
  publicMode: boolean;
}

const CONFIGS: Config[] = [
  { name: 'AUTH_BACKEND=password PUBLIC_MODE=false', auth: 'password', publicMode: false },
  { name: 'AUTH_BACKEND=password PUBLIC_MODE=true', auth: 'password', publicMode: true },
  { name: 'AUTH_BACKEND=none PUBLIC_MODE=true', auth: 'none', publicMode: true },
];

/** Who calls: nobody, the owner (session token or API key), another user, or the owner with a bad token. */
const CALLERS = ['anonymous', 'owner', 'other user', 'owner API key', 'expired token', 'tampered token'] as const;
type Caller = (typeof CALLERS)[number];

/** Whom the server should see: credentials are ignored with AUTH_BACKEND=none; bad tokens are refused. */
type Who = 'anon' | 'owner' | 'other' | 'bad';
function whoIs(caller: Caller, config: Config): Who {
  if (config.auth === 'none') return 'anon';
  if (caller === 'owner' || caller === 'owner API key') return 'owner';
  if (caller === 'other user') return 'other';
  if (caller === 'anonymous') return 'anon';
  return 'bad';
}

/** The transcripts of the matrix: the owner's in each share mode, one in a shared room, an anonymous one. */
const KINDS = ['private', 'semi-private', 'public', 'private in shared room', 'anonymous'] as const;
type Kind = (typeof KINDS)[number];
interface Fixture {
  kind: Kind;
  id: string;
  owned: boolean;
  shareMode: 'private' | 'semi-private' | 'public';
  sharedRoom: boolean;
  participantId: string;
}

// ---------------------------------------------------------------------------------------------------
// The rules

type Outcome = 'allow' | 401 | 403 | 404;
type Rule = (who: Exclude<Who, 'bad'>, t: Fixture | null, config: Config) => Outcome;

/** The single-transcript read rule (anonymous → everyone; private → owner; semi-private → signed-in; public → all). */
function canRead(who: Exclude<Who, 'bad'>, t: Fixture): boolean {
  if (!t.owned) return true;
  if (who === 'owner') return true;
  if (t.shareMode === 'public') return true;
  if (who === 'anon') return false;
  return t.shareMode === 'semi-private' || t.sharedRoom;
}

/** Which transcripts a list or search shows: anonymous (public mode) → anonymous and public; a user → own and shared rooms. */
function listed(who: Exclude<Who, 'bad'>, t: Fixture): boolean {
  if (who === 'anon') return !t.owned || t.shareMode === 'public';
  return (who === 'owner' && t.owned) || t.sharedRoom;
}

const ownerOnly = (who: Exclude<Who, 'bad'>, t: Fixture | null): Outcome => {
  if (who === 'anon') return 401;
  if (!t!.owned) return 403; // anonymous transcripts can never be changed
  return who === 'owner' ? 'allow' : 403;
};

const RULES = {
  /** Open to everyone; bad credentials are still refused. */
  public: () => 'allow',
  /** Sign-in endpoints and infrastructure: credentials are not looked at, so stale ones do not get in the way. */
  ignoresCredentials: () => 'allow',
  /** A signed-in user (session token or API key). */
  authenticated: (who) => (who === 'anon' ? 401 : 'allow'),
  /** The caller's own object (API key): another user's id is not found. */
  ownObject: (who) => (who === 'anon' ? 401 : who === 'owner' ? 'allow' : 404),
  /** Listing and search: anonymous callers only in public mode. */
  list: (who, _t, config) => (who === 'anon' && !config.publicMode ? 401 : 'allow'),
  /** Creating a transcript: anonymous callers only in public mode (the transcript is then anonymous). */
  create: (who, _t, config) => (who === 'anon' && !config.publicMode ? 401 : 'allow'),
  /** Reading a transcript and everything in it (topics, participants, audio, pipeline). */
  read: (who, t) => (canRead(who, t!) ? 'allow' : 403),
  /** PATCH, DELETE: the owner only. */
  mutate: (who, t) => ownerOnly(who, t),
  /** Participants and speakers: the owner only. */
  editSpeakers: (who, t) => ownerOnly(who, t),
  /** Upload and process: the owner; for an anonymous transcript anyone who could create one. */
  feed: (who, t, config) => {
    if (!canRead(who, t!)) return 403;
    if (!t!.owned) return who === 'anon' && !config.publicMode ? 401 : 'allow';
    return ownerOnly(who, t);
  },
} satisfies Record<string, Rule>;
type RuleName = keyof typeof RULES;

interface CallSpec {
  query?: Record<string, string>;
  body?: unknown;
  multipart?: { field: string; filename: string; bytes: Uint8Array };
}
interface Entry {
  rule: RuleName;
  /** The request to send, so that validation passes and only access decides. */
  request?: (t: Fixture | null) => CallSpec;
  /** Statuses an allowed call may get besides 2xx, with why. */
  alsoAllowed?: Record<number, string>;
  /** The call destroys its target: a fresh one is made for every cell. */
  fresh?: 'transcript' | 'participant' | 'api key';
  /** Also check which of the matrix's transcripts the answer lists. */
  lists?: (body: any) => string[];
  /** The route is not in the OpenAPI document (HEAD routes, WebSockets); it is called all the same. */
  undocumented?: true;
  /** A WebSocket: outcome read from the handshake (open, or closed with 4401/4403/4404). */
  websocket?: true;
  /** Only a bearer token identifies the caller here (the user WebSocket, as in the reference): an API key counts as none. */
  bearerOnly?: true;
}

const ADMIN_EMAIL = 'admin@matrix.test';
const ADMIN_PASSWORD = 'matrix password';
const CHUNK = new Uint8Array(1024).fill(7);

const TABLE: Record<string, Entry> = {
  'GET /health': { rule: 'ignoresCredentials' },

  'POST /v1/auth/login': {
    rule: 'ignoresCredentials',
    request: () => ({ body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
    alsoAllowed: { 400: 'password sign-in is not enabled (AUTH_BACKEND=none)' },
  },
  'GET /v1/auth/config': { rule: 'ignoresCredentials' },
  'POST /v1/auth/oidc/token': {
    rule: 'ignoresCredentials',
    request: () => ({ body: { code: 'code', code_verifier: 'v'.repeat(43), redirect_uri: 'http://localhost/auth/callback' } }),
    alsoAllowed: { 400: 'OIDC sign-in is not configured here' },
  },
  'POST /v1/auth/oidc/refresh': {
    rule: 'ignoresCredentials',
    request: () => ({ body: { refresh_token: 'refresh' } }),
    alsoAllowed: { 400: 'OIDC sign-in is not configured here' },
  },
  'GET /v1/me': { rule: 'public' },
  'POST /v1/user/api-keys': { rule: 'authenticated', request: () => ({ body: { name: 'matrix' } }) },
  'GET /v1/user/api-keys': { rule: 'authenticated' },
  'DELETE /v1/user/api-keys/{key_id}': { rule: 'ownObject', fresh: 'api key' },
  'WS /v1/events': { rule: 'authenticated', websocket: true, undocumented: true, bearerOnly: true },

  'GET /v1/transcripts': { rule: 'list', request: () => ({ query: { size: '100' } }), lists: (b) => b.items.map((i: { id: string }) => i.id) },
  'GET /v1/transcripts/search': {
    rule: 'list',
    request: () => ({ query: { q: '', limit: '100' } }),
    lists: (b) => b.results.map((i: { id: string }) => i.id),
  },
  'POST /v1/transcripts': { rule: 'create', request: () => ({ body: { name: 'matrix created' } }) },
  'GET /v1/transcripts/{id}': { rule: 'read' },
  'PATCH /v1/transcripts/{id}': { rule: 'mutate', request: () => ({ body: { title: 'matrix title' } }) },
  'DELETE /v1/transcripts/{id}': { rule: 'mutate', fresh: 'transcript' },
  'GET /v1/transcripts/{id}/topics': { rule: 'read' },
  'GET /v1/transcripts/{id}/topics/with-words': { rule: 'read' },
  'GET /v1/transcripts/{id}/topics/{topic_id}/words-per-speaker': { rule: 'read' },
  'GET /v1/transcripts/{id}/participants': { rule: 'read' },
  'POST /v1/transcripts/{id}/participants': { rule: 'editSpeakers', request: () => ({ body: { name: 'added' } }) },
  'GET /v1/transcripts/{id}/participants/{participant_id}': { rule: 'read' },
  'PATCH /v1/transcripts/{id}/participants/{participant_id}': { rule: 'editSpeakers', request: () => ({ body: { name: 'renamed' } }) },
  'DELETE /v1/transcripts/{id}/participants/{participant_id}': { rule: 'editSpeakers', fresh: 'participant' },
  'PATCH /v1/transcripts/{id}/speaker/assign': {
    rule: 'editSpeakers',
    request: () => ({ body: { speaker: 0, timestamp_from: 0, timestamp_to: 0.5 } }),
  },
  'PATCH /v1/transcripts/{id}/speaker/merge': { rule: 'editSpeakers', request: () => ({ body: { speaker_from: 7, speaker_to: 8 } }) },
  'POST /v1/transcripts/{id}/record/upload': {
    rule: 'feed',
    // The first of two chunks: stored, nothing is processed.
    request: () => ({ query: { chunk_number: '0', total_chunks: '2' }, multipart: { field: 'chunk', filename: 'a.mp3', bytes: CHUNK } }),
  },
  'POST /v1/transcripts/{id}/process': { rule: 'feed', alsoAllowed: { 400: 'nothing was uploaded to process' } },
  'GET /v1/transcripts/{id}/pipeline': { rule: 'read' },
  'GET /v1/transcripts/{id}/audio/mp3': { rule: 'read' },
  'HEAD /v1/transcripts/{id}/audio/mp3': { rule: 'read', undocumented: true },
  'GET /v1/transcripts/{id}/audio/waveform': { rule: 'read' },
  'POST /v1/transcripts/{id}/audio/token': { rule: 'read' },
  // A plain GET only documents the WebSocket's messages: it answers null and reveals nothing.
  'GET /v1/transcripts/{id}/events': { rule: 'public' },
  'WS /v1/transcripts/{id}/events': { rule: 'read', websocket: true, undocumented: true },
};

/** Routes the document hides on purpose; not walked here. */
const NOT_IN_DOCUMENT: Record<string, string> = {
  '/openapi.json': 'the API description itself, open to all',
  '/docs': 'the API explorer, open to all',
  '/metrics': 'Prometheus metrics, open to all (restrict at the proxy)',
  '/v1/storage/*': 'files by signed URL: the signature is the access rule (storage-url.test.ts)',
  '/': 'the web app, static files open to all; the API decides what it shows',
};

// ---------------------------------------------------------------------------------------------------
// Running a cell

interface Caller$ {
  headers: Record<string, string>;
  /** The token for WebSocket subprotocols, when the caller has one. */
  token?: string;
}

interface Cell {
  route: string;
  caller: Caller;
  kind: Kind | null;
  expected: Outcome;
  status: number | string;
  ok: boolean;
  detail?: string;
}

function expectedOutcome(entry: Entry, caller: Caller, t: Fixture | null, config: Config): Outcome {
  let who = whoIs(caller, config);
  if (entry.bearerOnly && caller === 'owner API key') who = 'anon';
  if (entry.rule === 'ignoresCredentials') return 'allow';
  if (who === 'bad') return entry.websocket ? RULES[entry.rule]('anon', t, config) : 401; // a bad WebSocket token counts as none
  return RULES[entry.rule](who, t, config);
}

async function callHttp(base: string, method: string, path: string, req: CallSpec, headers: Record<string, string>) {
  const url = new URL(base + path);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  let body: RequestInit['body'];
  const h = { ...headers };
  if (req.multipart) {
    const form = new FormData();
    form.append(req.multipart.field, new Blob([req.multipart.bytes]), req.multipart.filename);
    body = form;
  } else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    h['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers: h, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, json, text };
}

/** Opens a WebSocket and reports 'open' if it stays open, or the close code. */
function callWs(base: string, path: string, caller: Caller$): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + path, caller.token ? ['bearer', caller.token] : [], {
      headers: caller.headers['x-api-key'] ? { 'x-api-key': caller.headers['x-api-key'] } : {},
    });
    let timer: NodeJS.Timeout | undefined;
    ws.on('open', () => {
      timer = setTimeout(() => {
        ws.close();
        resolve('open');
      }, 300);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.on('error', () => resolve(-1));
  });
}

const WS_CLOSE: Record<number, Outcome> = { 4401: 401, 4403: 403, 4404: 404 };

// ---------------------------------------------------------------------------------------------------
// The test

for (const config of CONFIGS) {
  describe(`access matrix, ${config.name} (${TEST_MODE})`, () => {
    let p: TestPlatform;
    let owner: TestUser;
    let other: TestUser;
    let ownerKey: string;
    const callers = {} as Record<Caller, Caller$>;
    const fixtures: Fixture[] = [];
    let roomId: string;
    let startupSeconds = 0;

    beforeAll(async () => {
      const t0 = Date.now();
      p = await startTestPlatform({
        workers: 0,
        env: {
          AUTH_BACKEND: config.auth,
          PUBLIC_MODE: String(config.publicMode),
          ...(config.auth === 'password' ? { ADMIN_EMAIL, ADMIN_PASSWORD_HASH: await hashPassword(ADMIN_PASSWORD, 1000) } : {}),
        },
      });
      owner = await createUser(p.ctx);
      other = await createUser(p.ctx);
      // Keys are made directly: with AUTH_BACKEND=none nobody can create one, yet one may be left from before.
      ownerKey = generateApiKey();
      await p.ctx.database.db.insert(userApiKeys).values({ id: randomUUID(), userId: owner.id, keyHash: hashApiKey(ownerKey, p.env.SECRET_KEY), name: 'matrix' });
      const session = owner.auth.authorization.slice('Bearer '.length);
      const expired = await signSessionToken(p.env.SECRET_KEY, { id: owner.id, email: owner.email }, -60);
      const [h, pl, sig] = session.split('.');
      const tampered = `${h}.${pl}.${sig.slice(0, -4)}${sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      callers.anonymous = { headers: {} };
      callers.owner = { headers: owner.auth, token: session };
      callers['other user'] = { headers: other.auth, token: other.auth.authorization.slice('Bearer '.length) };
      callers['owner API key'] = { headers: { 'x-api-key': ownerKey } };
      callers['expired token'] = { headers: { authorization: `Bearer ${expired}` }, token: expired };
      callers['tampered token'] = { headers: { authorization: `Bearer ${tampered}` }, token: tampered };

      roomId = randomUUID();
      await p.ctx.database.query('INSERT INTO room (id, name, user_id, is_shared) VALUES ($1, $2, $3, true)', [roomId, `matrix-${roomId}`, owner.id]);
      for (const kind of KINDS) fixtures.push(await makeFixture(kind));
      startupSeconds = (Date.now() - t0) / 1000;
    });
    afterAll(async () => p?.stop());

    async function makeTranscript(kind: Kind) {
      const owned = kind !== 'anonymous';
      const shareMode = kind === 'semi-private' || kind === 'public' ? kind : 'private';
      const row = await createTranscript(p.ctx, {
        name: `matrix ${kind}`,
        user_id: owned ? owner.id : null,
        share_mode: shareMode,
        room_id: kind === 'private in shared room' ? roomId : null,
      });
      return { id: row.id, owned, shareMode, sharedRoom: kind === 'private in shared room' } as const;
    }

    async function addParticipant(id: string): Promise<string> {
      const pid = randomUUID();
      await mutateTranscript(p.ctx, id, (row) => ({ changes: { participants: [...row.participants, { id: pid, name: 'Ann', speaker: 1, user_id: null }] }, result: null }));
      return pid;
    }

    async function makeFixture(kind: Kind): Promise<Fixture> {
      const t = await makeTranscript(kind);
      await setTopics(p.ctx, t.id, sampleTopics());
      const participantId = await addParticipant(t.id);
      await p.ctx.storage.put(audioKey(t.id), Buffer.from('ID3 not really an mp3, but bytes to serve'));
      await p.ctx.storage.put(waveformKey(t.id), Buffer.from(JSON.stringify({ data: [0.1, 0.5, 0.2] })));
      return { kind, ...t, participantId };
    }

    test('every documented route has a rule, and each rule holds for every caller and transcript', async () => {
      const started = Date.now();
      const doc = (await (await fetch(`${p.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
      const missing = documented.filter((r) => !TABLE[r]);
      expect(missing.map((r) => `new route without an access rule: ${r}`)).toEqual([]);
      const stale = Object.entries(TABLE)
        .filter(([r, e]) => !e.undocumented && !documented.includes(r))
        .map(([r]) => `access rule for a route that no longer exists: ${r}`);
      expect(stale).toEqual([]);
      for (const hidden of Object.keys(NOT_IN_DOCUMENT)) expect(documented.some((r) => r.endsWith(` ${hidden}`))).toBe(false);

      // Reads first, then WebSockets, then changes, deletions last, so no change hides a later read.
      const order = (r: string) => (r.startsWith('GET ') || r.startsWith('HEAD ') ? 0 : r.startsWith('WS ') ? 1 : r.startsWith('DELETE ') ? 3 : 2);
      const routes = Object.keys(TABLE).sort((a, b) => order(a) - order(b));

      const cells: Cell[] = [];
      for (const route of routes) {
        const entry = TABLE[route];
        const [method, path] = route.split(' ');
        const targets: (Fixture | null)[] = path.includes('{id}') ? fixtures : [null];
        const runs: Promise<Cell[]>[] = [];
        for (const t of targets) {
          const changes: (() => Promise<Cell[]>)[] = [];
          for (const caller of CALLERS) {
            // A bad token is refused before any transcript is looked at: it is tried on the public
            // transcript, the one where a refusal cannot come from the transcript's own rule.
            if (t && t.kind !== 'public' && (caller === 'expired token' || caller === 'tampered token')) continue;
            const who = whoIs(caller, config);
            const expected = expectedOutcome(entry, caller, t, config);
            const run = async (): Promise<Cell[]> => {
              let target = t;
              let keyId = '';
              if (entry.fresh === 'transcript') target = { ...t!, ...(await makeTranscript(t!.kind)) };
              if (entry.fresh === 'participant') target = { ...t!, participantId: await addParticipant(t!.id) };
              if (entry.fresh === 'api key') {
                keyId = randomUUID();
                await p.ctx.database.db.insert(userApiKeys).values({ id: keyId, userId: owner.id, keyHash: hashApiKey(generateApiKey(), p.env.SECRET_KEY), name: 'doomed' });
              }
              const url = path
                .replace('{id}', target?.id ?? '')
                .replace('{topic_id}', 'topic-1')
                .replace('{participant_id}', target?.participantId ?? '')
                .replace('{key_id}', keyId);
              const base: Omit<Cell, 'status' | 'ok'> = { route, caller, kind: t?.kind ?? null, expected };
              if (entry.websocket) {
                const code = await callWs(p.url, url, callers[caller]);
                const got: Outcome | number = code === 'open' ? 'allow' : (WS_CLOSE[code] ?? code);
                return [{ ...base, status: code === 'open' ? 'open' : `close ${code}`, ok: got === expected }];
              }
              const r = await callHttp(p.url, method, url, entry.request?.(target) ?? {}, callers[caller].headers);
              const allowed = (r.status >= 200 && r.status < 300) || !!entry.alsoAllowed?.[r.status];
              const ok = expected === 'allow' ? allowed : r.status === expected;
              const out: Cell[] = [{ ...base, status: r.status, ok, detail: ok ? undefined : r.text.slice(0, 160) }];
              if (entry.lists && expected === 'allow' && allowed) {
                const shown = new Set(entry.lists(r.json));
                for (const f of fixtures) {
                  const should = who !== 'bad' && listed(who, f);
                  const is = shown.has(f.id);
                  out.push({ route: `${route} lists`, caller, kind: f.kind, expected: should ? 'allow' : 403, status: is ? 'listed' : 'not listed', ok: should === is });
                }
              }
              return out;
            };
            // Reads run side by side; changes run one caller at a time per transcript.
            if (method === 'GET' || method === 'HEAD' || method === 'WS') runs.push(run());
            else changes.push(run);
          }
          if (changes.length) {
            runs.push(
              (async () => {
                const out: Cell[] = [];
                for (const change of changes) out.push(...(await change()));
                return out;
              })(),
            );
          }
        }
        for (const r of await Promise.all(runs)) cells.push(...r);
      }

      const isAllow = (c: Cell) => c.status === 'open' || c.status === 'listed' || (typeof c.status === 'number' && c.status < 300);
      const unexpectedAllows = cells.filter((c) => !c.ok && c.expected !== 'allow' && isAllow(c));
      const failures = cells.filter((c) => !c.ok);
      const line =
        `access matrix (${TEST_MODE}, ${config.name}): ${Object.keys(TABLE).length} routes (${documented.length} documented), ` +
        `${CALLERS.length} callers, ${KINDS.length} transcripts → ${cells.length} cells, ` +
        `${cells.filter((c) => c.expected === 'allow').length} allowed, ${cells.filter((c) => c.expected !== 'allow').length} denied, ` +
        `${unexpectedAllows.length} unexpected allows, ${failures.length} mismatches; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (+${startupSeconds.toFixed(1)} s to start and fill the platform)`;
      console.log(line);
      expect(
        failures.map((c) => `${c.route} as ${c.caller}${c.kind ? ` on ${c.kind}` : ''}: expected ${c.expected}, got ${c.status}${c.detail ? ` ${c.detail}` : ''}`),
      ).toEqual([]);
    });
  });
}
