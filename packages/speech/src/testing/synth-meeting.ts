// Synthetic meetings for tests: festival voices read a script turn by turn, and because we place every
// turn ourselves the reference transcript and the speaker timeline (RTTM) are exact.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePcm } from '../audio/ffmpeg.ts';
import { SAMPLE_RATE, SpeechError } from '../types.ts';

export type SynthVoice = 'slt' | 'kal' | 'ked';

export const SYNTH_VOICES: Record<SynthVoice, { festival: string; description: string }> = {
  slt: { festival: 'voice_cmu_us_slt_arctic_hts', description: 'US English female (HTS), the most recognisable' },
  kal: { festival: 'voice_kal_diphone', description: 'US English male (diphone)' },
  ked: { festival: 'voice_ked_diphone', description: 'US English male (diphone), close to kal' },
};

export interface SynthTurn {
  speaker: SynthVoice;
  text: string;
}

export interface SynthMeetingOptions {
  turns: SynthTurn[];
  /** Silence before each turn after the first, in seconds: one value, one per gap, or a range drawn from
   * deterministically. Default: between 0.3 and 0.8 s. */
  gaps?: number | number[] | { min: number; max: number };
  /** Silence before the first turn and after the last one (seconds, default 0.5). */
  padding?: number;
  /** Where to copy the results; without it the files stay in the cache directory. */
  outDir?: string;
  /** Base file name (default 'meeting'); also the file id in the RTTM. */
  name?: string;
  /** Default: $REFLECTOR_SYNTH_CACHE or <tmpdir>/reflector-synth. */
  cacheDir?: string;
}

export interface PlacedTurn extends SynthTurn {
  /** Speaker index in order of first appearance (0, 1, ...). */
  speakerIndex: number;
  /** Extent of the audible speech of the turn, seconds. */
  start: number;
  end: number;
}

export interface SynthMeeting {
  wavPath: string;
  rttmPath: string;
  /** Plain-text reference transcript (all turns, one per line) and its path. */
  transcript: string;
  transcriptPath: string;
  /** Full description (turns, speech segments) as JSON. */
  jsonPath: string;
  turns: PlacedTurn[];
  /** Speech segments of the reference, as in the RTTM: turns split at pauses of MIN_PAUSE or longer. */
  segments: { start: number; end: number; speaker: SynthVoice }[];
  duration: number;
  speakers: SynthVoice[];
}

/** Bump when the rendering changes so caches from older code are not reused. */
const RENDER_VERSION = 3;
/** Silences this long inside a turn count as non-speech in the reference, like the gaps between turns. */
export const MIN_PAUSE = 0.3;
const FRAME = SAMPLE_RATE / 100;
/** Speech level each turn is normalised to (RMS over its voiced frames), and the peak ceiling. */
const TARGET_RMS = 0.08;
const PEAK_CEILING = 0.89;

export function defaultSynthCacheDir(): string {
  return process.env.REFLECTOR_SYNTH_CACHE ?? join(tmpdir(), 'reflector-synth');
}

/** Renders the meeting (or reuses the cached rendering) and returns the paths and the exact timeline. */
export async function synthesizeMeeting(opts: SynthMeetingOptions): Promise<SynthMeeting> {
  if (!opts.turns.length) throw new SpeechError('a synthetic meeting needs at least one turn', 'bad_input');
  for (const t of opts.turns) {
    if (!SYNTH_VOICES[t.speaker]) throw new SpeechError(`unknown synthetic voice "${t.speaker}" (use slt, kal or ked)`, 'bad_input');
    if (!t.text.trim()) throw new SpeechError('a synthetic turn has empty text', 'bad_input');
  }
  const cacheDir = opts.cacheDir ?? defaultSynthCacheDir();
  const name = opts.name ?? 'meeting';
  const padding = opts.padding ?? 0.5;
  const gaps = resolveGaps(opts.turns.length, opts.gaps);
  const key = sha({ v: RENDER_VERSION, turns: opts.turns, gaps, padding, name }).slice(0, 20);
  const dir = join(cacheDir, 'meetings', key);
  const jsonPath = join(dir, `${name}.json`);
  let meeting: SynthMeeting;
  if (existsSync(jsonPath)) {
    meeting = JSON.parse(await readFile(jsonPath, 'utf8')) as SynthMeeting;
  } else {
    meeting = await render(opts.turns, gaps, padding, name, dir, cacheDir);
  }
  if (!opts.outDir) return meeting;
  await mkdir(opts.outDir, { recursive: true });
  const out = {
    ...meeting,
    wavPath: join(opts.outDir, `${name}.wav`),
    rttmPath: join(opts.outDir, `${name}.rttm`),
    transcriptPath: join(opts.outDir, `${name}.txt`),
    jsonPath: join(opts.outDir, `${name}.json`),
  };
  await copyFile(meeting.wavPath, out.wavPath);
  await copyFile(meeting.rttmPath, out.rttmPath);
  await copyFile(meeting.transcriptPath, out.transcriptPath);
  await writeFile(out.jsonPath, JSON.stringify(out, null, 1));
  return out;
}

async function render(
  turns: SynthTurn[],
  gaps: number[],
  padding: number,
  name: string,
  dir: string,
  cacheDir: string,
): Promise<SynthMeeting> {
  const clips = await mapLimit(turns, Math.max(1, Math.min(4, availableParallelism())), (t) => turnAudio(t, cacheDir));
  await mkdir(dir, { recursive: true });
  const speakers: SynthVoice[] = [];
  const placed: PlacedTurn[] = [];
  const segments: SynthMeeting['segments'] = [];
  const tmpWav = join(dir, `${name}.wav.${process.pid}.tmp`);
  const fh = await open(tmpWav, 'w');
  let written = 0; // samples
  const writeSamples = async (pcm: Float32Array) => {
    const buf = Buffer.alloc(pcm.length * 2);
    for (let i = 0; i < pcm.length; i++) buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, pcm[i])) * 32767), i * 2);
    await fh.write(buf, 0, buf.length, 44 + written * 2);
    written += pcm.length;
  };
  try {
    for (let i = 0; i < clips.length; i++) {
      await writeSamples(new Float32Array(Math.round((i === 0 ? padding : gaps[i - 1]) * SAMPLE_RATE)));
      const turn = turns[i];
      if (!speakers.includes(turn.speaker)) speakers.push(turn.speaker);
      const t0 = written / SAMPLE_RATE;
      const clip = clips[i];
      placed.push({ ...turn, speakerIndex: speakers.indexOf(turn.speaker), start: round3(t0), end: round3(t0 + clip.pcm.length / SAMPLE_RATE) });
      for (const [s, e] of clip.speech) segments.push({ start: round3(t0 + s), end: round3(t0 + e), speaker: turn.speaker });
      await writeSamples(clip.pcm);
    }
    await writeSamples(new Float32Array(Math.round(padding * SAMPLE_RATE)));
    await fh.write(wavHeader(written), 0, 44, 0);
  } finally {
    await fh.close();
  }
  const wavPath = join(dir, `${name}.wav`);
  const rttmPath = join(dir, `${name}.rttm`);
  const transcriptPath = join(dir, `${name}.txt`);
  const jsonPath = join(dir, `${name}.json`);
  const transcript = turns.map((t) => t.text.trim()).join('\n');
  const rttm = segments
    .map((s) => `SPEAKER ${name} 1 ${s.start.toFixed(3)} ${(s.end - s.start).toFixed(3)} <NA> <NA> ${s.speaker} <NA> <NA>`)
    .join('\n');
  const meeting: SynthMeeting = {
    wavPath,
    rttmPath,
    transcript,
    transcriptPath,
    jsonPath,
    turns: placed,
    segments,
    duration: round3(written / SAMPLE_RATE),
    speakers,
  };
  await rename(tmpWav, wavPath);
  await atomicWrite(rttmPath, rttm + '\n');
  await atomicWrite(transcriptPath, transcript + '\n');
  // The JSON is written last: its presence marks a complete cache entry.
  await atomicWrite(jsonPath, JSON.stringify(meeting, null, 1));
  return meeting;
}

interface TurnClip {
  /** Trimmed, normalised 16 kHz samples. */
  pcm: Float32Array;
  /** Speech intervals inside the clip (seconds), pauses shorter than MIN_PAUSE bridged. */
  speech: [number, number][];
}

async function turnAudio(turn: SynthTurn, cacheDir: string): Promise<TurnClip> {
  const key = sha({ v: RENDER_VERSION, voice: turn.speaker, text: turn.text.trim() }).slice(0, 24);
  const dir = join(cacheDir, 'turns');
  const cached = join(dir, `${key}.f32`);
  let pcm: Float32Array;
  if (existsSync(cached)) {
    const buf = await readFile(cached);
    pcm = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  } else {
    await mkdir(dir, { recursive: true });
    pcm = normalise(trim(await festival(turn, dir, key)));
    await atomicWrite(cached, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }
  return { pcm, speech: speechIntervals(pcm) };
}

async function festival(turn: SynthTurn, dir: string, key: string): Promise<Float32Array> {
  const textFile = join(dir, `${key}.${process.pid}.txt`);
  const wavFile = join(dir, `${key}.${process.pid}.wav`);
  // text2wave reads the text from a file, which avoids quoting problems on the command line.
  await writeFile(textFile, turn.text.trim() + '\n');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('text2wave', ['-eval', `(${SYNTH_VOICES[turn.speaker].festival})`, '-o', wavFile, textFile], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.once('error', (e) =>
        reject(
          new SpeechError(
            `cannot run text2wave (${e.message}); install festival festvox-us-slt-hts festvox-kallpc16k festvox-kdlpc16k`,
            'unavailable',
          ),
        ),
      );
      child.once('close', (code) =>
        code === 0 ? resolve() : reject(new SpeechError(`text2wave failed for voice ${turn.speaker}: ${err.trim() || `exit ${code}`}`, 'engine')),
      );
    });
    const blocks: Float32Array[] = [];
    for await (const b of decodePcm(wavFile)) blocks.push(b);
    const pcm = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
    let o = 0;
    for (const b of blocks) {
      pcm.set(b, o);
      o += b.length;
    }
    if (!pcm.length) throw new SpeechError(`text2wave produced no audio for voice ${turn.speaker}`, 'engine');
    return pcm;
  } finally {
    await rm(textFile, { force: true });
    await rm(wavFile, { force: true });
  }
}

function frameRms(pcm: Float32Array): Float64Array {
  const n = Math.floor(pcm.length / FRAME);
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) s += pcm[i] * pcm[i];
    out[f] = Math.sqrt(s / FRAME);
  }
  return out;
}

/** A frame is speech when it is within 40 dB of the loudest frame of the clip. */
function speechMask(pcm: Float32Array): boolean[] {
  const rms = frameRms(pcm);
  let peak = 0;
  for (const r of rms) peak = Math.max(peak, r);
  return Array.from(rms, (r) => r > peak * 0.01);
}

/** Cuts festival's own leading and trailing silence so a turn's start and end are its audible speech. */
function trim(pcm: Float32Array): Float32Array {
  const mask = speechMask(pcm);
  const first = mask.indexOf(true);
  const last = mask.lastIndexOf(true);
  if (first < 0) return pcm;
  return pcm.slice(first * FRAME, Math.min(pcm.length, (last + 1) * FRAME));
}

/** Scales so that voiced frames have the same RMS for every voice, without clipping. */
function normalise(pcm: Float32Array): Float32Array {
  const rms = frameRms(pcm);
  let peakRms = 0;
  for (const r of rms) peakRms = Math.max(peakRms, r);
  let sum = 0;
  let n = 0;
  for (const r of rms) {
    if (r > peakRms * 0.1) {
      sum += r * r;
      n++;
    }
  }
  let peak = 0;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  if (!n || !peak) return pcm;
  const gain = Math.min(TARGET_RMS / Math.sqrt(sum / n), PEAK_CEILING / peak);
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] * gain;
  return out;
}

function speechIntervals(pcm: Float32Array): [number, number][] {
  const mask = speechMask(pcm);
  const out: [number, number][] = [];
  let f = 0;
  while (f < mask.length) {
    if (!mask[f]) {
      f++;
      continue;
    }
    let e = f;
    while (e < mask.length && mask[e]) e++;
    const prev = out.at(-1);
    if (prev && f / 100 - prev[1] < MIN_PAUSE) prev[1] = e / 100;
    else out.push([f / 100, e / 100]);
    f = e;
  }
  if (out.length) out[out.length - 1][1] = pcm.length / SAMPLE_RATE;
  return out;
}

function resolveGaps(n: number, gaps: SynthMeetingOptions['gaps']): number[] {
  const count = Math.max(0, n - 1);
  if (typeof gaps === 'number') return new Array<number>(count).fill(gaps);
  if (Array.isArray(gaps)) {
    if (gaps.length < count) throw new SpeechError(`need ${count} gaps, got ${gaps.length}`, 'bad_input');
    return gaps.slice(0, count);
  }
  const { min, max } = gaps ?? { min: 0.3, max: 0.8 };
  const rand = seededRandom(n * 7919 + 17);
  return Array.from({ length: count }, () => round3(min + (max - min) * rand()));
}

/** Small deterministic generator so the same script always renders the same meeting. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function wavHeader(samples: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + samples * 2, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(samples * 2, 40);
  return h;
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function sha(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex');
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
