import { describe, expect, test } from 'vitest';
import type { Participant, Topic, Word } from '../../src/db/schema.ts';
import {
  formatMmss,
  formatSrtTime,
  formatVttTime,
  namedSegments,
  plainText,
  renderTranscript,
  storedWebvtt,
  toMarkdown,
  toSrt,
  toText,
  toTextTimestamped,
  toWebvttNamed,
} from '../../src/transcripts/formats.ts';
import { speakerName, wordsToSegments, wordsToSegmentsBySentence } from '../../src/transcripts/segments.ts';

const w = (text: string, start: number, end: number, speaker = 0): Word => ({ text, start, end, speaker });
const topic = (id: string, words: Word[], extra: Partial<Topic> = {}): Topic => ({
  id,
  title: `Topic ${id}`,
  summary: `Summary ${id}`,
  timestamp: words[0]?.start ?? 0,
  duration: 0,
  transcript: '',
  words,
  ...extra,
});
const people: Participant[] = [
  { id: 'p1', speaker: 0, name: 'John Smith', user_id: null },
  { id: 'p2', speaker: 1, name: 'Jane Doe', user_id: null },
];
const twoTopics = [
  topic('1', [w('Hello', 0, 1, 0), w(' world.', 1, 2, 0)]),
  topic('2', [w('How', 65, 66, 1), w(' are', 66, 67, 1), w(' you?', 67, 68, 1)]),
];

describe('speaker names', () => {
  test('participant with the speaker index, else "Speaker N"', () => {
    expect(speakerName(0, people)).toBe('John Smith');
    expect(speakerName(1, people)).toBe('Jane Doe');
    expect(speakerName(2, people)).toBe('Speaker 2');
    expect(speakerName(5, [])).toBe('Speaker 5');
    expect(speakerName(0, null)).toBe('Speaker 0');
  });
});

describe('time formatting', () => {
  test('MM:SS uses total minutes and floors seconds', () => {
    expect(formatMmss(0)).toBe('00:00');
    expect(formatMmss(5)).toBe('00:05');
    expect(formatMmss(65)).toBe('01:05');
    expect(formatMmss(125.7)).toBe('02:05');
    expect(formatMmss(3661)).toBe('61:01');
  });

  test('cue times truncate milliseconds without float error', () => {
    expect(formatVttTime(0)).toBe('00:00:00.000');
    expect(formatVttTime(2.3)).toBe('00:00:02.300');
    expect(formatVttTime(1.0009)).toBe('00:00:01.000');
    expect(formatVttTime(3725.5)).toBe('01:02:05.500');
    expect(formatSrtTime(3725.5)).toBe('01:02:05,500');
  });
});

describe('segmentation', () => {
  test('new segment on speaker change', () => {
    const segs = wordsToSegments([w('Hello', 0, 1, 0), w(' there.', 1, 2, 0), w('Hi', 2, 3, 1), w(' back.', 3, 4, 1), w('Good', 4, 5, 0), w(' morning.', 5, 6, 0)]);
    expect(segs.map((s) => [s.speaker, s.text, s.start, s.end])).toEqual([
      [0, 'Hello there.', 0, 2],
      [1, 'Hi back.', 2, 4],
      [0, 'Good morning.', 4, 6],
    ]);
  });

  test('a long segment closes after punctuation only once it exceeds 120 characters', () => {
    // 12 words of 10 characters = 120 characters; punctuation before that does not split.
    const words: Word[] = [];
    for (let i = 0; i < 11; i++) words.push(w(i === 3 ? ' word, ok.' : ' wordwordw', i, i + 1));
    words.push(w(' wordword.', 11, 12)); // reaches exactly 120: not more than 120, no split
    words.push(w(' more; yes', 12, 13)); // 130 characters and a ";" — closes here
    words.push(w(' next', 13, 14));
    words.push(w(' one.', 14, 15));
    const segs = wordsToSegments(words);
    expect(segs).toHaveLength(2);
    expect(segs[0].text.length).toBe(130);
    expect(segs[0].end).toBe(13);
    expect(segs[1]).toEqual({ text: ' next one.', start: 13, end: 15, speaker: 0 });
  });

  test('short sentences of one speaker stay in one segment', () => {
    expect(wordsToSegments([w('Hello.', 0, 0.5), w(' How', 0.6, 1), w(' are', 1, 1.3), w(' you?', 1.3, 1.8)])).toHaveLength(1);
  });

  test('multitrack: interleaved speakers form one sentence each, ordered by start', () => {
    const words = [w('Hello ', 0, 0.5, 0), w("I'm ", 0.5, 0.8, 1), w('there.', 0.5, 1, 0), w('good.', 1, 1.5, 1)];
    expect(wordsToSegments(words)).toHaveLength(4);
    const segs = wordsToSegmentsBySentence(words);
    expect(segs.map((s) => [s.speaker, s.text.trim(), s.start, s.end])).toEqual([
      [0, 'Hello there.', 0, 1],
      [1, "I'm good.", 0.5, 1.5],
    ]);
  });

  test('multitrack: a sentence never grows past 1000 characters', () => {
    const words = Array.from({ length: 120 }, (_, i) => w(' abcdefghi', i, i + 1)); // 1200 chars, no punctuation
    const segs = wordsToSegmentsBySentence(words);
    expect(segs).toHaveLength(2);
    expect(segs[0].text.length).toBe(1000);
  });
});

describe('formats', () => {
  test('text: "Name: text" per segment', () => {
    expect(toText(namedSegments(twoTopics, people))).toBe('John Smith: Hello world.\nJane Doe: How are you?');
  });

  test('text-timestamped: [MM:SS] prefix, minutes past 59', () => {
    expect(toTextTimestamped(namedSegments(twoTopics, people))).toBe('[00:00] John Smith: Hello world.\n[01:05] Jane Doe: How are you?');
    const late = [topic('x', [w('Late', 3661, 3662, 2), w(' words.', 3662, 3663, 2)])];
    expect(toTextTimestamped(namedSegments(late, people))).toBe('[61:01] Speaker 2: Late words.');
  });

  test('webvtt-named: exact document', () => {
    expect(toWebvttNamed(namedSegments(twoTopics, people))).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v John Smith>Hello world.\n\n00:01:05.000 --> 00:01:08.000\n<v Jane Doe>How are you?\n',
    );
  });

  test('webvtt-named for a multitrack transcript: one cue per sentence', () => {
    const words = [w('Hello ', 0, 0.5, 0), w("I'm ", 0.5, 0.8, 1), w('there.', 0.5, 1, 0), w('good.', 1, 1.5, 1)];
    const alice: Participant[] = [
      { id: '1', speaker: 0, name: 'Alice', user_id: null },
      { id: '2', speaker: 1, name: 'Bob', user_id: null },
    ];
    expect(toWebvttNamed(namedSegments([topic('1', words)], alice, true))).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Alice>Hello there.\n\n00:00:00.500 --> 00:00:01.500\n<v Bob>I\'m good.\n',
    );
  });

  test('json: speaker, name, trimmed text, start, end', () => {
    expect(namedSegments(twoTopics, people)).toEqual([
      { speaker: 0, speaker_name: 'John Smith', text: 'Hello world.', start: 0, end: 2 },
      { speaker: 1, speaker_name: 'Jane Doe', text: 'How are you?', start: 65, end: 68 },
    ]);
  });

  test('srt: numbered cues with comma milliseconds', () => {
    expect(toSrt(namedSegments(twoTopics, people))).toBe(
      '1\n00:00:00,000 --> 00:00:02,000\nJohn Smith: Hello world.\n\n2\n00:01:05,000 --> 00:01:08,000\nJane Doe: How are you?\n',
    );
  });

  test('markdown: title, summary, topic sections with timed speaker lines', () => {
    const md = toMarkdown({ title: 'Weekly *sync*', name: 'x', short_summary: 'We met.', topics: twoTopics, participants: people });
    expect(md).toBe(
      [
        '# Weekly \\*sync\\*',
        'We met.',
        '## Topic 1 [00:00]',
        '**John Smith** [00:00]: Hello world.',
        '## Topic 2 [01:05]',
        '**Jane Doe** [01:05]: How are you?',
      ].join('\n\n') + '\n',
    );
    expect(toMarkdown({ title: null, name: 'Transcript 2026', short_summary: null, topics: [], participants: [] })).toBe('# Transcript 2026\n');
  });

  test('empty topics and topics without words give empty output', () => {
    for (const topics of [[], [topic('1', [])]]) {
      const segs = namedSegments(topics, []);
      expect(segs).toEqual([]);
      expect(toText(segs)).toBe('');
      expect(toTextTimestamped(segs)).toBe('');
      expect(toSrt(segs)).toBe('');
      expect(toWebvttNamed(segs)).toBe('WEBVTT');
      expect(renderTranscript('json', { title: null, name: '', short_summary: null, topics, participants: [] }).transcript).toEqual([]);
    }
  });
});

describe('stored columns', () => {
  test('stored WebVTT uses numeric voices and default segmentation', () => {
    expect(storedWebvtt(twoTopics)).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Speaker0>Hello world.\n\n00:01:05.000 --> 00:01:08.000\n<v Speaker1>How are you?\n',
    );
    expect(storedWebvtt([])).toBe('WEBVTT');
    expect(storedWebvtt([topic('1', [])])).toBe('WEBVTT');
  });

  test('stored WebVTT puts out-of-order words in time order', () => {
    const vtt = storedWebvtt([topic('1', [w('Second', 1, 1.5, 0), w('First', 0, 0.5, 1)])]);
    expect(vtt.indexOf('First')).toBeLessThan(vtt.indexOf('Second'));
  });

  test('plain text for search: one line per topic, legacy topics by their text', () => {
    expect(plainText([...twoTopics, topic('3', [], { transcript: '  Old   text ' })])).toBe('Hello world.\nHow are you?\nOld text');
  });
});
