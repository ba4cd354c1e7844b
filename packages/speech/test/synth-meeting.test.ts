import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePcm } from '../src/audio/ffmpeg.ts';
import { parseRttm } from '../src/der.ts';
import { DIALOGUES, SUBJECTS, buildDialogue } from '../src/testing/dialogues.ts';
import { synthesizeMeeting } from '../src/testing/synth-meeting.ts';

const out = await mkdtemp(join(tmpdir(), 'synth-test-'));
afterAll(() => rm(out, { recursive: true, force: true }));

async function readAll(path: string): Promise<Float32Array> {
  const blocks: Float32Array[] = [];
  for await (const b of decodePcm(path)) blocks.push(b);
  const all = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    all.set(b, o);
    o += b.length;
  }
  return all;
}

const rms = (x: Float32Array, from: number, to: number) => {
  let s = 0;
  const a = Math.round(from * 16000);
  const b = Math.round(to * 16000);
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, b - a));
};

describe('synthesizeMeeting', () => {
  it('renders a 3-voice meeting whose WAV, RTTM and transcript agree', { timeout: 180_000 }, async () => {
    const turns = [
      { speaker: 'slt' as const, text: 'Good morning, let us look at the budget.' },
      { speaker: 'kal' as const, text: 'The budget is fine this quarter.' },
      { speaker: 'ked' as const, text: 'I would like to talk about hiring.' },
      { speaker: 'slt' as const, text: 'Sure, go ahead.' },
    ];
    const m = await synthesizeMeeting({ turns, gaps: [0.3, 0.5, 0.8], outDir: out, name: 'three' });
    expect(m.wavPath).toBe(join(out, 'three.wav'));
    expect(m.speakers).toEqual(['slt', 'kal', 'ked']);
    expect(m.turns.map((t) => t.speakerIndex)).toEqual([0, 1, 2, 0]);

    const pcm = await readAll(m.wavPath);
    expect(pcm.length / 16000).toBeCloseTo(m.duration, 2);

    // Turns follow each other with the requested gaps, and the audio is loud inside and silent between.
    for (let i = 1; i < m.turns.length; i++) expect(m.turns[i].start - m.turns[i - 1].end).toBeCloseTo([0.3, 0.5, 0.8][i - 1], 2);
    for (const t of m.turns) expect(rms(pcm, t.start, t.end)).toBeGreaterThan(0.02);
    for (let i = 1; i < m.turns.length; i++) expect(rms(pcm, m.turns[i - 1].end + 0.01, m.turns[i].start - 0.01)).toBeLessThan(1e-4);

    const rttm = parseRttm(await readFile(m.rttmPath, 'utf8'));
    expect(rttm.length).toBe(m.segments.length);
    expect(rttm.every((s) => s.file === 'three')).toBe(true);
    for (const s of rttm) {
      const turn = m.turns.find((t) => s.start >= t.start - 1e-3 && s.end <= t.end + 1e-3);
      expect(turn?.speaker).toBe(s.speaker);
    }
    expect((await readFile(m.transcriptPath, 'utf8')).trim().split('\n')).toEqual(turns.map((t) => t.text));
  });

  it('reuses the cached rendering', { timeout: 120_000 }, async () => {
    const turns = [{ speaker: 'slt' as const, text: 'Good morning, let us look at the budget.' }];
    await synthesizeMeeting({ turns, name: 'cached' });
    const t0 = Date.now();
    const again = await synthesizeMeeting({ turns, name: 'cached' });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(again.turns).toHaveLength(1);
  });

  it('rejects unknown voices and empty scripts with clear errors', async () => {
    await expect(synthesizeMeeting({ turns: [] })).rejects.toThrow(/at least one turn/);
    await expect(synthesizeMeeting({ turns: [{ speaker: 'bob' as never, text: 'hi' }] })).rejects.toThrow(/unknown synthetic voice "bob"/);
  });
});

describe('dialogues', () => {
  it('scripts meetings of the asked length and speakers', () => {
    const one = DIALOGUES.oneSpeakerSlt();
    expect(new Set(one.map((t) => t.speaker))).toEqual(new Set(['slt']));
    const three = DIALOGUES.threeSpeakers();
    expect(new Set(three.map((t) => t.speaker))).toEqual(new Set(['slt', 'kal', 'ked']));
    for (let i = 1; i < three.length; i++) expect(three[i].speaker).not.toBe(three[i - 1].speaker);
    const long = buildDialogue({ speakers: ['slt', 'kal'], minutes: 10 });
    const words = long.reduce((n, t) => n + t.text.split(/\s+/).length, 0);
    expect(words).toBeGreaterThan(1400);
    // A long meeting walks through every subject.
    const text = long.map((t) => t.text).join(' ');
    for (const s of SUBJECTS) expect(text).toContain(s.sentences[1]);
  });
});
