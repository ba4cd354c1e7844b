// Processing of an uploaded recording. This stage converts the upload to mp3, measures its duration and
// computes the waveform; the recognition stages plug in after it.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { computeWaveform, encodeMp3, probe, SpeechError } from '@reflector/speech';
import type { AppContext } from '../context.ts';
import { emitTranscriptEvent, setTranscriptStatus } from '../events/transcript-events.ts';
import { audioKey, waveformKey, workDir } from '../transcripts/files.ts';

export const processJobId = (transcriptId: string) => `process-${transcriptId}`;

/**
 * Test-only: REFLECTOR_TEST_STAGE_DELAY_MS makes every run wait that long after probing, so tests can
 * catch a job mid-run (e.g. to kill its worker). Never set it in a deployment.
 */
async function testStageDelay(signal?: AbortSignal): Promise<void> {
  const ms = Number(process.env.REFLECTOR_TEST_STAGE_DELAY_MS ?? 0);
  if (!(ms > 0)) return;
  await new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('processing stopped: the worker is shutting down'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('processing stopped: the worker is shutting down'));
    }, { once: true });
  });
}
export const PROCESS_ATTEMPTS = 3;

export async function processTranscript(
  ctx: AppContext,
  transcriptId: string,
  opts: { attempt?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const rows = await ctx.database.query<{ upload_key: string | null; status: string }>(
    'SELECT upload_key, status FROM transcript WHERE id = $1',
    [transcriptId],
  );
  const t = rows[0];
  if (!t) return; // deleted while queued
  if (!t.upload_key) {
    await setTranscriptStatus(ctx, transcriptId, 'error', 'There is no recording to process');
    return;
  }
  const dir = workDir(ctx.config, transcriptId);
  await setTranscriptStatus(ctx, transcriptId, 'processing');
  try {
    await mkdir(dir, { recursive: true });
    const input = path.join(dir, path.basename(t.upload_key));
    await pipeline(await ctx.storage.get(t.upload_key), createWriteStream(input));

    const info = await probe(input);
    await testStageDelay(opts.signal);
    if (!info.hasAudio) throw new SpeechError('File has no audio stream', 'bad_input');
    const durationMs = Math.round(info.durationSeconds * 100_000) / 100;
    await ctx.database.query('UPDATE transcript SET duration = $2 WHERE id = $1', [transcriptId, durationMs]);
    await emitTranscriptEvent(ctx, transcriptId, 'DURATION', { duration: durationMs });

    const mp3 = path.join(dir, 'audio.mp3');
    await encodeMp3(input, mp3, { signal: opts.signal });
    const size = (await stat(mp3)).size;
    await ctx.storage.put(audioKey(transcriptId), createReadStream(mp3), { contentType: 'audio/mpeg', size });
    await ctx.database.query('UPDATE transcript SET audio_location = $2 WHERE id = $1', [
      transcriptId,
      ctx.storage.kind === 'aws' ? 'storage' : 'local',
    ]);

    const waveform = (await computeWaveform(mp3, { durationSeconds: info.durationSeconds, signal: opts.signal })).data;
    await ctx.storage.put(waveformKey(transcriptId), Buffer.from(JSON.stringify(waveform)), { contentType: 'application/json' });
    await emitTranscriptEvent(ctx, transcriptId, 'WAVEFORM', { waveform });

    await setTranscriptStatus(ctx, transcriptId, 'ended');
  } catch (err) {
    if (opts.signal?.aborted) throw err; // shutting down: the job resumes at the next start
    const lastAttempt = (opts.attempt ?? PROCESS_ATTEMPTS) >= PROCESS_ATTEMPTS;
    const userError = err instanceof SpeechError && err.kind === 'bad_input';
    if (userError || lastAttempt) {
      const reason = err instanceof Error ? err.message : String(err);
      ctx.log.warn({ transcriptId, err }, 'processing failed');
      await setTranscriptStatus(ctx, transcriptId, 'error', reason);
      return;
    }
    throw err; // retried by the job queue
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
