import { describe, expect, test } from 'vitest';
import type { Participant, Topic, Word } from '../../src/db/schema.ts';
import { HttpError } from '../../src/errors.ts';
import { normalizeTopic } from '../../src/transcripts/content.ts';
import {
  addParticipant,
  assignSpeaker,
  lowestFreeSpeaker,
  mergeSpeakers,
  removeParticipant,
  updateParticipant,
} from '../../src/transcripts/speakers.ts';
import { topicOut, wordsPerSpeaker } from '../../src/transcripts/topics.ts';

const w = (text: string, start: number, speaker = 0): Word => ({ text, start, end: start + 0.5, speaker });
const topics = (): Topic[] => [
  normalizeTopic({ id: 't1', title: 'A', summary: 'a', timestamp: 0, words: [w('One', 0, 0), w(' two', 1, 0), w(' three', 2, 1)] }),
  normalizeTopic({ id: 't2', title: 'B', summary: 'b', timestamp: 3, words: [w('Four', 3, 1), w(' five', 4, 2)] }),
];
const speakersOf = (ts: Topic[]) => ts.flatMap((t) => t.words.map((x) => x.speaker));

function httpError(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected an HttpError');
}

describe('participants', () => {
  test('a speaker index belongs to one participant', () => {
    const { participants, participant } = addParticipant([], { name: 'Ann', speaker: 1 });
    expect(participant).toMatchObject({ name: 'Ann', speaker: 1, user_id: null });
    const e = httpError(() => addParticipant(participants, { name: 'Bob', speaker: 1 }));
    expect([e.statusCode, e.detail]).toEqual([400, 'Speaker already assigned']);
    expect(addParticipant(participants, { name: 'Bob' }).participants).toHaveLength(2);
  });

  test('update applies the given fields; collisions only when a speaker is given', () => {
    let list: Participant[] = [];
    list = addParticipant(list, { name: 'Ann', speaker: 0 }).participants;
    list = addParticipant(list, { name: 'Bob', speaker: null }).participants;
    list = addParticipant(list, { name: 'Cid', speaker: null }).participants;
    const [, bob, cid] = list;
    // Renaming Bob while Cid also has no speaker is not a collision.
    expect(updateParticipant(list, bob.id, { name: 'Robert' }).participant).toMatchObject({ name: 'Robert', speaker: null });
    expect(httpError(() => updateParticipant(list, cid.id, { speaker: 0 })).statusCode).toBe(400);
    expect(updateParticipant(list, cid.id, { speaker: 2 }).participant).toMatchObject({ name: 'Cid', speaker: 2 });
    expect(httpError(() => updateParticipant(list, 'nope', { name: 'x' })).detail).toBe('Participant not found');
    expect(removeParticipant(list, bob.id).map((p) => p.name)).toEqual(['Ann', 'Cid']);
    expect(removeParticipant(list, 'unknown')).toHaveLength(3);
  });
});

describe('speaker assignment', () => {
  test('relabels exactly the words whose start lies within [from, to], across topics', () => {
    const r = assignSpeaker(topics(), [], { speaker: 7, timestamp_from: 1, timestamp_to: 3 });
    expect(speakersOf(r.topics)).toEqual([0, 7, 7, 7, 2]);
  });

  test('neither or both of speaker and participant → 400; unknown participant → 404', () => {
    expect(httpError(() => assignSpeaker(topics(), [], { timestamp_from: 0, timestamp_to: 1 })).statusCode).toBe(400);
    expect(httpError(() => assignSpeaker(topics(), [], { speaker: 1, participant: 'p', timestamp_from: 0, timestamp_to: 1 })).statusCode).toBe(400);
    expect(httpError(() => assignSpeaker(topics(), [], { participant: 'p', timestamp_from: 0, timestamp_to: 1 })).statusCode).toBe(404);
  });

  test('a participant without speaker gets the lowest index unused by words and participants', () => {
    const ann: Participant = { id: 'ann', speaker: null, name: 'Ann', user_id: null };
    expect(lowestFreeSpeaker(topics(), [])).toBe(3);
    const r = assignSpeaker(topics(), [ann], { participant: 'ann', timestamp_from: 0, timestamp_to: 0 });
    expect(r.speaker).toBe(3);
    expect(r.participants[0].speaker).toBe(3);
    expect(speakersOf(r.topics)).toEqual([3, 0, 1, 1, 2]);
    // Index 1 is free of words after relabelling but a participant holds 4: the next free one is taken.
    const held: Participant = { id: 'h', speaker: 4, name: 'H', user_id: null };
    const bob: Participant = { id: 'bob', speaker: null, name: 'Bob', user_id: null };
    expect(assignSpeaker(r.topics, [...r.participants, held, bob], { participant: 'bob', timestamp_from: 9, timestamp_to: 9 }).speaker).toBe(5);
  });

  test('merge relabels every word of speaker_from', () => {
    const r = mergeSpeakers(topics(), [], 1, 0);
    expect(speakersOf(r.topics)).toEqual([0, 0, 0, 0, 2]);
  });

  test('merge refuses two named speakers; a lone name follows its words', () => {
    const a: Participant = { id: 'a', speaker: 1, name: 'A', user_id: null };
    const b: Participant = { id: 'b', speaker: 2, name: 'B', user_id: null };
    const e = httpError(() => mergeSpeakers(topics(), [a, b], 1, 2));
    expect([e.statusCode, e.detail]).toEqual([400, 'Both speakers are assigned to participants']);
    const r = mergeSpeakers(topics(), [a], 1, 5);
    expect(r.participants[0].speaker).toBe(5);
    expect(speakersOf(r.topics)).toEqual([0, 0, 5, 5, 2]);
  });
});

describe('topic representation', () => {
  test('text, duration and segments from words; legacy topics keep their text', () => {
    const [t1] = topics();
    expect(topicOut(t1, false)).toEqual({
      id: 't1',
      title: 'A',
      summary: 'a',
      timestamp: 0,
      duration: 2.5,
      transcript: 'One two three',
      translation: null,
      segments: [
        { text: 'One two', start: 0, speaker: 0 },
        { text: 'three', start: 2, speaker: 1 },
      ],
    });
    const legacy = { ...normalizeTopic({ title: 'L', summary: 's', timestamp: 5, transcript: 'Old text' }), words: [] };
    expect(topicOut(legacy, false)).toMatchObject({ duration: null, transcript: 'Old text', segments: [{ text: 'Old text', start: 5, speaker: 0 }] });
  });

  test('words per speaker are consecutive runs', () => {
    const words = [w('a', 0, 0), w('b', 1, 0), w('c', 2, 1), w('d', 3, 0)];
    expect(wordsPerSpeaker(words).map((r) => [r.speaker, r.words.map((x) => x.text).join('')])).toEqual([
      [0, 'ab'],
      [1, 'c'],
      [0, 'd'],
    ]);
  });
});
