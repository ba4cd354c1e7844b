import { describe, expect, it } from 'vitest';
import { assignSpeakers } from '../src/assembly.ts';
import type { SpeakerSegment, Word } from '../src/types.ts';

/** Words from "text@start-end" tokens. */
function words(spec: string): Word[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((tok, i) => {
      const [text, times] = tok.split('@');
      const [start, end] = times.split('-').map(Number);
      return { text: i ? ` ${text}` : text, start, end };
    });
}
const speakersOf = (w: Word[]) => w.map((x) => x.speaker);

describe('assignSpeakers', () => {
  it('gives every word speaker 0 without diarization', () => {
    expect(speakersOf(assignSpeakers(words('hello@0-0.5 there@0.6-1'), []))).toEqual([0, 0]);
  });

  it('assigns by maximum overlap, and by the nearest segment in gaps and at the ends', () => {
    const w = words('a@0-0.4 b@0.5-0.9 c@1.4-1.8 d@1.9-2.2 e@5-5.3');
    const segs: SpeakerSegment[] = [
      { start: 0.1, end: 0.8, speaker: 0 },
      { start: 0.8, end: 1.2, speaker: 1 }, // b overlaps speaker 0 by 0.3 s and speaker 1 by 0.1 s
      { start: 1.5, end: 2.2, speaker: 1 },
    ];
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 0, 1, 1, 1]);
  });

  it('keeps overlapping segments usable: the dominant speaker wins', () => {
    const w = words('yes@1.0-1.3 so@1.4-1.6');
    const segs: SpeakerSegment[] = [
      { start: 0, end: 1.5, speaker: 0 },
      { start: 1.2, end: 3, speaker: 1 },
    ];
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 1]);
  });

  it('moves a turn change to the end of the sentence when diarization cut it a word early', () => {
    // Speaker 0 says "We will ship on Friday." but the boundary falls before "Friday."
    const w = words('We@0-0.2 will@0.25-0.4 ship@0.45-0.7 on@0.75-0.85 Friday.@0.9-1.3 Great,@1.6-1.9 thanks.@1.95-2.3');
    const segs: SpeakerSegment[] = [
      { start: 0, end: 0.88, speaker: 0 },
      { start: 0.88, end: 2.4, speaker: 1 },
    ];
    const out = assignSpeakers(w, segs);
    expect(speakersOf(out)).toEqual([0, 0, 0, 0, 0, 1, 1]);
    expect(out[5].text).toBe(' Great,');
  });

  it('moves a turn change back to the sentence start when diarization switched late', () => {
    const w = words('Done.@0-0.4 What@0.7-0.9 about@0.95-1.1 the@1.15-1.2 budget?@1.25-1.6');
    const segs: SpeakerSegment[] = [
      { start: 0, end: 1.0, speaker: 0 },
      { start: 1.0, end: 2, speaker: 1 },
    ];
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 1, 1, 1, 1]);
  });

  it('does not move boundaries over whole sentences far away', () => {
    const w = words(
      'One@0-0.2 two@0.3-0.5 three@0.6-0.8 four@0.9-1.1 five@1.2-1.4 six@1.5-1.7 seven@1.8-2 eight.@2.1-2.3 Nine@2.6-2.8 ten.@2.9-3.1',
    );
    const segs: SpeakerSegment[] = [
      { start: 0, end: 0.55, speaker: 0 },
      { start: 0.55, end: 3.2, speaker: 1 },
    ];
    // The sentence end is five words and more than a second away: diarization is trusted.
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('absorbs a one-word run between two runs of the same speaker', () => {
    const w = words('and@0-0.2 then@0.3-0.5 we@0.6-0.7 decided@0.8-1.2 to@1.3-1.4 wait@1.5-1.8');
    const segs: SpeakerSegment[] = [
      { start: 0, end: 0.55, speaker: 0 },
      { start: 0.55, end: 0.75, speaker: 1 },
      { start: 0.75, end: 2, speaker: 0 },
    ];
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('keeps a one-word answer that is a sentence of its own', () => {
    const w = words('Agreed?@0-0.5 Yes.@0.9-1.2 Good,@1.6-1.9 moving@2-2.3 on.@2.4-2.6');
    const segs: SpeakerSegment[] = [
      { start: 0, end: 0.6, speaker: 0 },
      { start: 0.8, end: 1.3, speaker: 1 },
      { start: 1.5, end: 2.7, speaker: 0 },
    ];
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 1, 0, 0, 0]);
  });

  it('works on unpunctuated lowercase output (no sentence information)', () => {
    const w = words('so@0-0.2 we@0.3-0.5 agree@0.6-0.9 yes@1.3-1.5 okay@1.6-1.9');
    const segs: SpeakerSegment[] = [
      { start: 0, end: 1.0, speaker: 0 },
      { start: 1.2, end: 2, speaker: 1 },
    ];
    expect(speakersOf(assignSpeakers(w, segs))).toEqual([0, 0, 0, 1, 1]);
  });

  it('does not modify its input', () => {
    const w = words('hi@0-0.3');
    assignSpeakers(w, [{ start: 0, end: 1, speaker: 2 }]);
    expect(w[0].speaker).toBeUndefined();
  });
});
