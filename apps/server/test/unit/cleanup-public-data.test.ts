// Retention of public-mode data on a real PostgreSQL (a fresh database) with local storage, and the beat
// that schedules it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { startBeat, nextDailyRun, pollInterval } from '../../src/jobs/beat.ts';
import { cleanupPublicData } from '../../src/jobs/cleanup-public-data.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import type { Storage } from '../../src/storage/index.ts';
import { LocalStorage } from '../../src/storage/local.ts';
import { uploadChunksDir } from '../../src/transcripts/files.ts';

const log = pino({ level: 'silent' });
const DAY = 24 * 3600 * 1000;
let dir: string;
let config: Config;
let database: Database;
let storage: LocalStorage;
const ADMIN_PG_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `reflector_cleanup_${randomBytes(5).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-cleanup-'));
  config = loadConfig({ DATA_DIR: dir, PUBLIC_MODE: 'true', PUBLIC_DATA_RETENTION_DAYS: '7' });
  await admin(`CREATE DATABASE ${dbName}`);
  database = await openDatabase({ databaseUrl: ADMIN_PG_URL.replace(/\/[^/]*$/, `/${dbName}`), dataDir: dir, migrate: true, poolSize: 2 });
  storage = new LocalStorage(dir, 'http://localhost:1250', 'secret');
});

afterAll(async () => {
  await database?.close();
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

async function addTranscript(id: string, opts: { ageDays: number; userId?: string; meeting?: boolean; recording?: boolean }) {
  const createdAt = new Date(Date.now() - opts.ageDays * DAY).toISOString();
  const meetingId = opts.meeting ? `m-${id}` : null;
  const recordingId = opts.recording ? `r-${id}` : null;
  if (meetingId) {
    await database.query('INSERT INTO meeting (id, room_name) VALUES ($1, $2)', [meetingId, `room-${id}`]);
    await database.query('INSERT INTO meeting_consent (id, meeting_id, consent_given) VALUES ($1, $2, true)', [`c-${id}`, meetingId]);
  }
  if (recordingId) {
    await database.query('INSERT INTO recording (id, bucket_name, object_key, meeting_id) VALUES ($1, $2, $3, $4)', [
      recordingId,
      'recordings',
      `recordings/${id}.mp4`,
      meetingId,
    ]);
    await storage.put(`recordings/${id}.mp4`, Buffer.from('video'));
  }
  await database.query(
    'INSERT INTO transcript (id, name, user_id, created_at, meeting_id, recording_id, status) VALUES ($1, $1, $2, $3, $4, $5, $6)',
    [id, opts.userId ?? null, createdAt, meetingId, recordingId, 'ended'],
  );
  await storage.put(`${id}/audio.mp3`, Buffer.from('mp3'));
  await storage.put(`${id}/audio.json`, Buffer.from('[]'));
  await mkdir(uploadChunksDir(config, id), { recursive: true });
  await writeFile(path.join(uploadChunksDir(config, id), 'upload_0.webm'), 'chunk');
}

const exists = async (id: string) => (await database.query('SELECT 1 FROM transcript WHERE id = $1', [id])).length === 1;
const count = async (table: string) => (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

describe('cleanup of public data', () => {
  it('deletes anonymous transcripts older than the retention with their meeting, recording and files', async () => {
    await addTranscript('old-anon', { ageDays: 8, meeting: true, recording: true });
    await addTranscript('old-anon-plain', { ageDays: 30 });
    await addTranscript('new-anon', { ageDays: 6 });
    await addTranscript('old-owned', { ageDays: 60, userId: 'user-1' });

    const stats = await cleanupPublicData({ config, database, storage, log });
    expect(stats).toEqual({ transcripts_deleted: 2, meetings_deleted: 1, recordings_deleted: 1, errors: [] });
    expect(await exists('old-anon')).toBe(false);
    expect(await exists('old-anon-plain')).toBe(false);
    expect(await exists('new-anon')).toBe(true);
    expect(await exists('old-owned')).toBe(true);
    expect(await storage.stat('old-anon/audio.mp3')).toBeNull();
    expect(await storage.stat('recordings/old-anon.mp4')).toBeNull();
    expect(await storage.stat('new-anon/audio.mp3')).not.toBeNull();
    expect(await storage.stat('old-owned/audio.mp3')).not.toBeNull();
    await expect(stat(uploadChunksDir(config, 'old-anon'))).rejects.toThrow();
    expect(await count("meeting WHERE id = 'm-old-anon'")).toBe(0);
    expect(await count("meeting_consent WHERE meeting_id = 'm-old-anon'")).toBe(0);
    expect(await count("recording WHERE id = 'r-old-anon'")).toBe(0);

    // The retention can be given per run, like the reference's `--days N`.
    const shorter = await cleanupPublicData({ config, database, storage, log }, { days: 5 });
    expect(shorter.transcripts_deleted).toBe(1);
    expect(await exists('new-anon')).toBe(false);
  });

  it('reports a transcript it cannot remove and carries on with the others', async () => {
    await addTranscript('stuck', { ageDays: 10 });
    await addTranscript('fine', { ageDays: 11 });
    const failing: Storage = Object.assign(Object.create(storage) as LocalStorage, {
      deletePrefix: async (prefix: string) => {
        if (prefix === 'stuck/') throw new Error('disk is read-only');
        return storage.deletePrefix(prefix);
      },
    });
    const stats = await cleanupPublicData({ config, database, storage: failing, log });
    expect(stats.transcripts_deleted).toBe(1);
    expect(stats.errors).toEqual([{ transcript_id: 'stuck', error: 'disk is read-only' }]);
    expect(await exists('stuck')).toBe(true); // kept, so the next run tries again
    expect(await exists('fine')).toBe(false);
    const again = await cleanupPublicData({ config, database, storage, log });
    expect(again.transcripts_deleted).toBe(1);
    expect(await exists('stuck')).toBe(false);
  });

  it('does nothing outside public mode', async () => {
    await addTranscript('private-mode-old', { ageDays: 100 });
    const privateConfig = loadConfig({ DATA_DIR: dir, PUBLIC_MODE: 'false' });
    const stats = await cleanupPublicData({ config: privateConfig, database, storage, log });
    expect(stats.transcripts_deleted).toBe(0);
    expect(await exists('private-mode-old')).toBe(true);
  });
});

describe('beat', () => {
  it('computes the next 03:00 UTC', () => {
    expect(nextDailyRun(new Date('2026-03-01T02:59:59Z'), 3).toISOString()).toBe('2026-03-01T03:00:00.000Z');
    expect(nextDailyRun(new Date('2026-03-01T03:00:00Z'), 3).toISOString()).toBe('2026-03-02T03:00:00.000Z');
    expect(nextDailyRun(new Date('2026-12-31T23:00:00Z'), 3).toISOString()).toBe('2027-01-01T03:00:00.000Z');
  });

  it('lets BEAT_POLL_INTERVAL or CELERY_BEAT_POLL_INTERVAL override polling intervals only when above 0', () => {
    expect(pollInterval(loadConfig({}), 60)).toBe(60);
    expect(pollInterval(loadConfig({ CELERY_BEAT_POLL_INTERVAL: '300' }), 60)).toBe(300);
    expect(pollInterval(loadConfig({ CELERY_BEAT_POLL_INTERVAL: '300', BEAT_POLL_INTERVAL: '30' }), 60)).toBe(30);
    expect(pollInterval(loadConfig({ BEAT_POLL_INTERVAL: '0' }), 60)).toBe(60);
  });

  it('enqueues the cleanup every day at 03:00 UTC in public mode, whatever the poll interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    try {
      vi.setSystemTime(new Date('2026-05-10T01:00:00Z'));
      const enqueued: Array<{ name: string; at: string; jobId?: string }> = [];
      const jobs = {
        enqueue: async (name: string, _data: unknown, opts?: { jobId?: string }) => {
          enqueued.push({ name, at: new Date().toISOString(), jobId: opts?.jobId });
        },
      } as unknown as JobQueue;
      const stop = startBeat({ config: loadConfig({ PUBLIC_MODE: 'true', CELERY_BEAT_POLL_INTERVAL: '60' }), jobs, log });
      await vi.advanceTimersByTimeAsync(2 * 3600 * 1000 - 1);
      expect(enqueued).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await vi.advanceTimersByTimeAsync(DAY);
      expect(enqueued).toEqual([
        { name: 'cleanup-public-data', at: '2026-05-10T03:00:00.000Z', jobId: 'cleanup-public-data' },
        { name: 'cleanup-public-data', at: '2026-05-11T03:00:00.000Z', jobId: 'cleanup-public-data' },
      ]);
      await stop();
      await vi.advanceTimersByTimeAsync(DAY);
      expect(enqueued).toHaveLength(2);

      const none = startBeat({ config: loadConfig({ PUBLIC_MODE: 'false' }), jobs, log });
      await vi.advanceTimersByTimeAsync(2 * DAY);
      expect(enqueued).toHaveLength(2);
      await none();
    } finally {
      vi.useRealTimers();
    }
  });
});
