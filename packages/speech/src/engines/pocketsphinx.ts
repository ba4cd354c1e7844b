// The zero-download English recogniser: Debian's pocketsphinx_batch, one process per clip, reading a temporary
// 16-bit WAV. Every speech region of the clip is decoded as its own utterance so that cepstral mean
// normalisation is computed over that utterance (batch CMN, as the acoustic model was trained), instead of the
// running estimate pocketsphinx_continuous carries from one speaker's utterance into the next speaker's.
//
// WER on two synthetic 3-minute slt/kal meetings went from 12.6 % and 15.7 % (continuous) to 7.8 % and 13.4 %
// at about the same CPU; what else was tried is in docs/decisions.md.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWav } from '../audio/encode.ts';
import {
  SAMPLE_RATE,
  SpeechError,
  type AsrEngine,
  type Pcm,
  type SpeechRegion,
  type TranscribeOptions,
  type TranscriptionResult,
  type Word,
} from '../types.ts';
import { VoiceActivityDetector } from '../vad.ts';

export interface PocketsphinxOptions {
  /** Defaults to POCKETSPHINX_PATH or `pocketsphinx_batch` on PATH. */
  binary?: string;
  /** Directory holding `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`. */
  modelDir?: string;
  /** Parallel recognitions; one per core by default, at most 2 (each process holds ~60 MB of model). */
  concurrency?: number;
  /** Where the per-clip WAV files go. */
  tmpDir?: string;
  /** Extra decoder options (default: POCKETSPHINX_ARGS, split on spaces), e.g. ["-lw", "8"]. */
  extraArgs?: string[];
}

const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const APT_HINT = 'install it with apt-get install pocketsphinx pocketsphinx-en-us';
/** Audio kept on each side of a speech region in its utterance (seconds), up to halfway to the next region. */
const UTTERANCE_PADDING = 0.2;
/** Frames per second of the decoder. */
const FRAME_RATE = 100;

export class PocketsphinxEngine implements AsrEngine {
  readonly id = 'pocketsphinx';
  readonly quality = 'basic' as const;
  readonly languages = ['en'] as const;
  readonly concurrency: number;
  private readonly binary: string;
  private readonly modelDir: string;
  private readonly tmpDir: string;
  private readonly extraArgs: string[];
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private checked: Promise<void> | undefined;

  constructor(opts: PocketsphinxOptions = {}) {
    this.binary = opts.binary ?? process.env.POCKETSPHINX_PATH ?? 'pocketsphinx_batch';
    this.modelDir = opts.modelDir ?? process.env.POCKETSPHINX_MODEL_DIR ?? DEFAULT_MODEL_DIR;
    this.tmpDir = opts.tmpDir ?? tmpdir();
    this.concurrency = Math.max(1, opts.concurrency ?? Math.min(2, availableParallelism()));
    this.extraArgs = opts.extraArgs ?? (process.env.POCKETSPHINX_ARGS ? process.env.POCKETSPHINX_ARGS.trim().split(/\s+/) : []);
  }

  async transcribe(pcm: Pcm, opts: TranscribeOptions = {}): Promise<TranscriptionResult> {
    const language = opts.language && opts.language !== 'auto' ? opts.language.toLowerCase().split('-')[0] : 'en';
    if (language !== 'en') {
      throw new SpeechError(`the basic pocketsphinx engine only recognises English, not '${opts.language}'; install a multilingual model`, 'unavailable');
    }
    await (this.checked ??= this.checkInstalled());
    // Anything shorter than a few frames has no words and is not worth a process start.
    if (pcm.length < SAMPLE_RATE / 10) return { text: '', words: [], language: 'en' };
    const utterances = utteranceSpans(opts.speechRegions ?? (await detectRegions(pcm)), pcm.length / SAMPLE_RATE);
    if (!utterances.length) return { text: '', words: [], language: 'en' };
    await this.acquire();
    const name = `pocketsphinx-${randomUUID()}`;
    const wav = join(this.tmpDir, `${name}.wav`);
    const ctl = join(this.tmpDir, `${name}.ctl`);
    const seg = join(this.tmpDir, `${name}.seg`);
    try {
      opts.signal?.throwIfAborted();
      await writeWav(wav, pcm);
      // Control file: one utterance per line, as frame ranges of the same WAV (path relative to -cepdir).
      await writeFile(ctl, utterances.map((u, i) => `${name} ${u.startFrame} ${u.endFrame} u${i}\n`).join(''));
      await this.run(ctl, seg, opts.signal);
      const words = parseHypseg(await readFile(seg, 'utf8'), utterances, opts.timestampOffset ?? 0);
      opts.onProgress?.(1);
      return { text: words.map((w) => w.text).join('').trim(), words, language: 'en' };
    } catch (err) {
      if (opts.signal?.aborted) throw new SpeechError('transcription aborted', 'engine');
      throw err;
    } finally {
      this.release();
      await Promise.all([wav, ctl, seg].map((f) => rm(f, { force: true })));
    }
  }

  private async checkInstalled(): Promise<void> {
    for (const file of ['en-us.lm.bin', 'cmudict-en-us.dict', 'en-us/mdef']) {
      try {
        await access(join(this.modelDir, file));
      } catch (_err) {
        this.checked = undefined; // allow a retry after the package is installed
        throw new SpeechError(`pocketsphinx English model not found in ${this.modelDir}; ${APT_HINT}`, 'unavailable');
      }
    }
  }

  private run(ctl: string, hypseg: string, signal?: AbortSignal): Promise<void> {
    const args = [
      '-hmm', join(this.modelDir, 'en-us'),
      '-lm', join(this.modelDir, 'en-us.lm.bin'),
      '-dict', join(this.modelDir, 'cmudict-en-us.dict'),
      '-samprate', String(SAMPLE_RATE),
      '-ctl', ctl,
      '-cepdir', this.tmpDir,
      '-adcin', 'yes',
      '-cepext', '.wav',
      '-adchdr', '44',
      '-hypseg', hypseg,
      ...tuning(this.extraArgs),
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
      let log = '';
      child.stdout.resume();
      // The log is long and chatty; only its end explains a failure.
      child.stderr.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4096)));
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          this.checked = undefined;
          reject(new SpeechError(`pocketsphinx is not installed (${this.binary} not found); ${APT_HINT}`, 'unavailable'));
        } else reject(err.name === 'AbortError' ? new SpeechError('transcription aborted', 'engine') : new SpeechError(`pocketsphinx failed to start: ${err.message}`, 'engine'));
      });
      child.once('close', (code, sig) => {
        if (code === 0) return resolve();
        const reason = log.split('\n').filter((l) => /ERROR|FATAL/.test(l)).pop() ?? `exit ${code ?? sig}`;
        reject(new SpeechError(`pocketsphinx failed: ${reason.trim()}`, 'engine'));
      });
    });
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}

/**
 * A wider HMM beam than the decoder's default (about 1.5 points lower WER on meeting speech) with a cap on
 * active HMMs per frame that takes back about a fifth of its CPU without changing a word (docs/decisions.md).
 * The decoder refuses an option given twice, so any of them named in POCKETSPHINX_ARGS replaces ours.
 */
const DEFAULT_TUNING: ReadonlyArray<readonly [string, string]> = [
  ['-beam', '1e-60'],
  ['-maxhmmpf', '5000'],
];

export function tuning(extra: readonly string[]): string[] {
  return [...DEFAULT_TUNING.filter(([flag]) => !extra.includes(flag)).flat(), ...extra];
}

/** An utterance of the clip, in decoder frames. */
export interface Utterance {
  startFrame: number;
  endFrame: number;
}

/**
 * One utterance per speech region, widened by UTTERANCE_PADDING but never past the middle of the pause to the
 * neighbouring region, so no audio is decoded twice.
 */
export function utteranceSpans(regions: readonly SpeechRegion[], seconds: number): Utterance[] {
  const sorted = regions.filter((r) => r.end > r.start && r.end > 0 && r.start < seconds).sort((a, b) => a.start - b.start);
  const out: Utterance[] = [];
  sorted.forEach((r, i) => {
    const before = i ? (sorted[i - 1].end + r.start) / 2 : 0;
    const after = i < sorted.length - 1 ? (r.end + sorted[i + 1].start) / 2 : seconds;
    const startFrame = Math.round(Math.max(0, before, r.start - UTTERANCE_PADDING) * FRAME_RATE);
    const endFrame = Math.round(Math.min(seconds, after, r.end + UTTERANCE_PADDING) * FRAME_RATE);
    // Anything shorter than a few frames holds no word.
    if (endFrame - startFrame >= 10) out.push({ startFrame: Math.max(startFrame, out.at(-1)?.endFrame ?? 0), endFrame });
  });
  return out;
}

async function detectRegions(pcm: Pcm): Promise<SpeechRegion[]> {
  const vad = await VoiceActivityDetector.create();
  return [...vad.push(pcm), ...vad.flush()];
}

/**
 * Reads `-hypseg` output: per utterance `uttid S scale T total A acoustic L language`, then `startFrame acoustic
 * language word` for each word and the end frame of the last one. Frames count from the utterance start. Silence
 * and noise tokens are dropped and pronunciation variants (`word(2)`) folded into the word.
 */
export function parseHypseg(output: string, utterances: readonly Utterance[], offset = 0): Word[] {
  const words: Word[] = [];
  for (const line of output.split('\n')) {
    const tok = line.trim().split(/\s+/);
    const utt = /^u(\d+)$/.exec(tok[0] ?? '');
    if (!utt || tok.length < 14) continue;
    const base = utterances[Number(utt[1])]?.startFrame;
    if (base === undefined) continue;
    for (let j = 9; j + 4 < tok.length; j += 4) {
      const token = tok[j + 3].replace(/\(\d+\)$/, '');
      if (/^<.*>$/.test(token) || /^\[.*\]$/.test(token) || /^\+\+.*\+\+$/.test(token)) continue;
      const start = (base + Number(tok[j])) / FRAME_RATE + offset;
      const end = (base + Number(tok[j + 4])) / FRAME_RATE + offset;
      words.push({ text: words.length === 0 ? token : ` ${token}`, start: round3(start), end: round3(Math.max(start, end)) });
    }
  }
  return words;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
