// Test audio made at test time: tones with ffmpeg's lavfi sources, and sentences spoken by festival's slt voice
// placed between silences of known length, so the true speech regions are known.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodePcm } from '../../src/audio/ffmpeg.ts';
import { SAMPLE_RATE } from '../../src/types.ts';

const run = promisify(execFile);

export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function ffmpeg(...args: string[]): Promise<void> {
  await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** Speaks `text` with festival into a 16 kHz mono 16-bit WAV. */
export async function say(text: string, out: string, voice = 'voice_cmu_us_slt_arctic_hts'): Promise<void> {
  const raw = `${out}.raw.wav`;
  await new Promise<void>((resolve, reject) => {
    const child = execFile('text2wave', ['-eval', `(${voice})`, '-o', raw], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(text);
  });
  await run('sox', [raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', out]);
  await rm(raw, { force: true });
}

/** Start and end (seconds) of the audible part of a file: first and last 10 ms frame above 2 % of the peak RMS. */
export async function audibleExtent(path: string): Promise<{ start: number; end: number; duration: number }> {
  const frame = SAMPLE_RATE / 100;
  const rms: number[] = [];
  let carry: number[] = [];
  for await (const block of decodePcm(path)) {
    const samples = carry.length ? [...carry, ...block] : Array.from(block);
    let i = 0;
    for (; i + frame <= samples.length; i += frame) {
      let sum = 0;
      for (let j = i; j < i + frame; j++) sum += samples[j] ** 2;
      rms.push(Math.sqrt(sum / frame));
    }
    carry = samples.slice(i);
  }
  const peak = Math.max(...rms);
  const first = rms.findIndex((r) => r > peak * 0.02);
  const last = rms.length - 1 - [...rms].reverse().findIndex((r) => r > peak * 0.02);
  return { start: first / 100, end: (last + 1) / 100, duration: (rms.length * frame + carry.length) / SAMPLE_RATE };
}

export interface SpokenSequence {
  path: string;
  /** True speech extents, seconds. */
  regions: { start: number; end: number }[];
  text: string;
}

/** Speaks each sentence with slt and joins them with the given silences (leading, between, trailing). */
export async function speakWithSilences(dir: string, sentences: string[], silences: number[]): Promise<SpokenSequence> {
  if (silences.length !== sentences.length + 1) throw new Error('need one silence before, between and after the sentences');
  const parts: string[] = [];
  const regions: { start: number; end: number }[] = [];
  let t = 0;
  for (let i = 0; i <= sentences.length; i++) {
    const gap = join(dir, `gap${i}.wav`);
    await run('sox', ['-n', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', gap, 'trim', '0', String(silences[i])]);
    parts.push(gap);
    t += silences[i];
    if (i === sentences.length) break;
    const spoken = join(dir, `s${i}.wav`);
    await say(sentences[i], spoken);
    const ext = await audibleExtent(spoken);
    regions.push({ start: t + ext.start, end: t + ext.end });
    t += ext.duration;
    parts.push(spoken);
  }
  const path = join(dir, 'spoken.wav');
  await run('sox', [...parts, path]);
  return { path, regions, text: sentences.join(' ') };
}
