// Turns one stored media file into words: probe first (bad media is the caller's fault, reported with
// ffprobe's reason), then VAD-batched recognition. Clips shorter than half a second are padded with silence
// because recognisers drop or mangle the last frames of very short inputs.
import { decodePcm } from '@reflector/speech/audio/ffmpeg';
import { probe } from '@reflector/speech/audio/probe';
import { transcribeFile } from '@reflector/speech/transcribe-file';
import { SAMPLE_RATE, type AsrEngine, type TranscriptionResult } from '@reflector/speech/types';
import { HttpError } from './errors.ts';

const MIN_CLIP_SECONDS = 0.5;

export async function recogniseFile(path: string, engine: AsrEngine, opts: { language: string; signal?: AbortSignal }): Promise<TranscriptionResult> {
  const info = await probe(path, { signal: opts.signal });
  if (!info.hasAudio) throw new HttpError(400, 'the file has no audio stream');
  if (info.durationSeconds > 0 && info.durationSeconds < MIN_CLIP_SECONDS) {
    const pcm = new Float32Array(Math.round(MIN_CLIP_SECONDS * SAMPLE_RATE));
    let at = 0;
    for await (const block of decodePcm(path, { signal: opts.signal })) {
      const n = Math.min(block.length, pcm.length - at);
      pcm.set(block.subarray(0, n), at);
      at += n;
    }
    return engine.transcribe(pcm, { language: opts.language, signal: opts.signal });
  }
  return transcribeFile(path, engine, { language: opts.language, signal: opts.signal, durationSeconds: info.durationSeconds || undefined });
}
