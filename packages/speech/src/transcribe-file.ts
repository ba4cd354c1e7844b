// Whole-recording transcription: one streaming decode feeds the VAD, finished batches of speech are cut out of a
// short sliding window and recognised while decoding goes on. Memory holds the window and the batches in flight,
// never the recording.
import { decodePcm } from './audio/ffmpeg.ts';
import { PcmWindow } from './audio/pcm-window.ts';
import { probe } from './audio/probe.ts';
import { SpeechError, type AsrEngine, type SpeechRegion, type TranscriptionResult, type Word } from './types.ts';
import { KnownSpeech, VAD_LATENCY, VoiceActivityDetector, type SpeechSource, type VadOptions } from './vad.ts';
import { RegionBatcher, type SpeechBatch } from './vad-batches.ts';

export interface TranscribeFileOptions {
  /** ISO 639-1 code or 'auto'; passed to the engine. */
  language?: string;
  /** 0..1, monotonic; 1 once every word is in. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** Skips the ffprobe call when the caller already knows it. */
  durationSeconds?: number;
  vad?: VadOptions;
  /** Speech regions already found in this recording (e.g. while it was transcoded): the VAD does not run again. */
  speechRegions?: readonly SpeechRegion[];
  /** Longest clip handed to the engine, seconds. */
  maxBatchSeconds?: number;
  /** A pause longer than this starts a new clip. */
  maxGapSeconds?: number;
  /** Audio kept on each side of a clip so word edges the VAD trimmed are not lost. */
  paddingSeconds?: number;
  /** Clips recognised at once; defaults to the engine's own `concurrency`. */
  concurrency?: number;
}

export interface FileTranscription extends TranscriptionResult {
  durationSeconds: number;
  /** Speech found by the VAD (seconds), e.g. for diarization. */
  speechRegions: SpeechRegion[];
  batches: number;
  /** Wall time spent inside the VAD, seconds. */
  vadSeconds: number;
  /** Most decoded audio held at once in the sliding window, seconds (flat in the recording length). */
  peakWindowSeconds: number;
}

export async function transcribeFile(path: string, engine: AsrEngine, opts: TranscribeFileOptions = {}): Promise<FileTranscription> {
  const signal = opts.signal;
  let duration = opts.durationSeconds;
  if (duration === undefined) {
    const info = await probe(path, { signal });
    if (!info.hasAudio) throw new SpeechError('the file has no audio track to transcribe', 'bad_input');
    duration = info.durationSeconds;
  }
  const pad = opts.paddingSeconds ?? 0.15;
  const maxBatch = opts.maxBatchSeconds ?? 30;
  const known = opts.speechRegions ? new KnownSpeech(opts.speechRegions) : null;
  const maxSpeech = known ? Math.max(20, known.longestSeconds) : (opts.vad?.maxSpeechSeconds ?? 20);
  const concurrency = Math.max(1, opts.concurrency ?? engine.concurrency ?? 1);
  const vad: SpeechSource = known ?? (await VoiceActivityDetector.create({ ...opts.vad, maxSpeechSeconds: maxSpeech }));
  const batcher = new RegionBatcher({ maxSeconds: maxBatch - 2 * pad, maxGapSeconds: opts.maxGapSeconds });
  const window = new PcmWindow();
  const regions: SpeechRegion[] = [];
  const words: Word[] = [];
  const failure = new AbortController();
  const engineSignal = signal ? AbortSignal.any([signal, failure.signal]) : failure.signal;
  const inflight: { batch: SpeechBatch; result: Promise<TranscriptionResult>; settled: boolean }[] = [];
  let clipEnd = 0;
  let batches = 0;
  let vadMs = 0;
  let reported = -1;
  let peakWindow = 0;
  let language = opts.language && opts.language !== 'auto' ? opts.language : undefined;

  const total = () => duration || vad.processedSeconds || 1;
  const report = (fraction: number) => {
    const f = Math.min(1, Math.max(0, fraction));
    if (f - reported >= 0.005 || (f === 1 && reported < 1)) {
      reported = f;
      opts.onProgress?.(f);
    }
  };
  const launch = (batch: SpeechBatch) => {
    // Clips never overlap, so a word cannot be recognised twice.
    const from = Math.max(clipEnd, batch.start - pad);
    const to = Math.min(window.endSeconds, batch.end + pad);
    clipEnd = to;
    batches++;
    const result = engine.transcribe(window.slice(from, to), {
      language: opts.language,
      timestampOffset: from,
      signal: engineSignal,
      speechRegions: batch.regions.map((r) => ({ start: r.start - from, end: r.end - from })),
    });
    const entry = { batch, result, settled: false };
    result.then(
      () => (entry.settled = true),
      () => failure.abort(),
    );
    inflight.push(entry);
  };
  const collectOldest = async () => {
    const entry = inflight.shift()!;
    const result = await entry.result;
    report((inflight[0]?.batch.start ?? entry.batch.end) / total());
    language ??= result.language;
    for (const w of result.words) {
      const text = w.text.trim();
      if (text) words.push({ ...w, text: words.length === 0 ? text : ` ${text}` });
    }
  };
  const schedule = async (ready: SpeechBatch[]) => {
    for (const batch of ready) {
      while (inflight.length >= concurrency) await collectOldest();
      launch(batch);
    }
  };

  try {
    for await (const block of decodePcm(path, { signal })) {
      window.push(block);
      const t0 = performance.now();
      const found = vad.push(block);
      vadMs += performance.now() - t0;
      for (const region of found) {
        regions.push(region);
        await schedule(batcher.push(region));
      }
      await schedule(batcher.advance(vad.processedSeconds - VAD_LATENCY));
      // Keep what the open batch needs, or what a region still in progress could reach back to.
      const open = batcher.openSince;
      window.dropBefore(Math.min(open === null ? Infinity : open - pad, vad.processedSeconds - maxSpeech - 2 * VAD_LATENCY));
      peakWindow = Math.max(peakWindow, window.heldSeconds);
      while (inflight[0]?.settled) await collectOldest();
      const done = inflight.length ? inflight[0].batch.start : (open ?? vad.processedSeconds);
      report(done / total());
    }
    const t0 = performance.now();
    const last = vad.flush();
    vadMs += performance.now() - t0;
    regions.push(...last);
    await schedule([...last.flatMap((r) => batcher.push(r)), ...batcher.flush()]);
    while (inflight.length) await collectOldest();
  } catch (err) {
    failure.abort();
    await Promise.allSettled(inflight.map((f) => f.result));
    if (signal?.aborted) throw new SpeechError('transcription aborted', 'engine');
    throw err;
  }
  report(1);
  return {
    text: words.map((w) => w.text).join(''),
    words,
    language: language ?? (engine.languages === 'any' ? 'en' : (engine.languages[0] ?? 'en')),
    durationSeconds: window.endSeconds,
    speechRegions: regions,
    batches,
    vadSeconds: known ? 0 : vadMs / 1000,
    peakWindowSeconds: peakWindow,
  };
}
