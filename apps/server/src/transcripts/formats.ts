// Transcript export formats: plain text, timestamped text, WebVTT (named and stored), SRT, JSON segments
// and Markdown. Topics are processed in order and segmented one by one; topics without words are skipped.
import type { Participant, Topic, Word } from '../db/schema.ts';
import { segmentWords, speakerName, wordsToSegments, type Segment } from './segments.ts';

export const TRANSCRIPT_FORMATS = ['text', 'text-timestamped', 'webvtt-named', 'json', 'srt', 'markdown'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

export interface NamedSegment {
  speaker: number;
  speaker_name: string;
  text: string;
  start: number;
  end: number;
}

type TopicWords = Pick<Topic, 'words'>;

/** Whole milliseconds of a time in seconds, truncated; the epsilon absorbs binary float error (2.3 s → 2300). */
const millis = (seconds: number) => Math.max(0, Math.floor(seconds * 1000 + 1e-6));
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "MM:SS" with total minutes, so an hour in reads "61:01"; seconds are floored. */
export function formatMmss(seconds: number): string {
  const total = Math.floor(millis(seconds) / 1000);
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

function clock(seconds: number, separator: '.' | ','): string {
  const ms = millis(seconds);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** WebVTT cue time "HH:MM:SS.mmm", milliseconds truncated. */
export const formatVttTime = (seconds: number) => clock(seconds, '.');
/** SRT cue time "HH:MM:SS,mmm". */
export const formatSrtTime = (seconds: number) => clock(seconds, ',');

/** Segments of every topic in order, with speaker names and trimmed text. */
export function namedSegments(topics: readonly TopicWords[], participants: readonly Participant[], multitrack = false): NamedSegment[] {
  const out: NamedSegment[] = [];
  for (const topic of topics) {
    if (!topic.words?.length) continue;
    for (const seg of segmentWords(topic.words, multitrack)) out.push(named(seg, participants));
  }
  return out;
}

function named(seg: Segment, participants: readonly Participant[]): NamedSegment {
  return { speaker: seg.speaker, speaker_name: speakerName(seg.speaker, participants), text: seg.text.trim(), start: seg.start, end: seg.end };
}

export function toText(segments: readonly NamedSegment[]): string {
  return segments.map((s) => `${s.speaker_name}: ${s.text}`).join('\n');
}

export function toTextTimestamped(segments: readonly NamedSegment[]): string {
  return segments.map((s) => `[${formatMmss(s.start)}] ${s.speaker_name}: ${s.text}`).join('\n');
}

function webvttDocument(cues: Array<{ start: number; end: number; voice: string; text: string }>): string {
  if (!cues.length) return 'WEBVTT';
  const body = cues.map((c) => `${formatVttTime(c.start)} --> ${formatVttTime(c.end)}\n<v ${c.voice}>${c.text}`).join('\n\n');
  return `WEBVTT\n\n${body}\n`;
}

export function toWebvttNamed(segments: readonly NamedSegment[]): string {
  return webvttDocument(segments.map((s) => ({ start: s.start, end: s.end, voice: s.speaker_name, text: s.text })));
}

export function toSrt(segments: readonly NamedSegment[]): string {
  if (!segments.length) return '';
  return (
    segments
      .map((s, i) => `${i + 1}\n${formatSrtTime(s.start)} --> ${formatSrtTime(s.end)}\n${s.speaker_name}: ${s.text}`)
      .join('\n\n') + '\n'
  );
}

export interface MarkdownSource {
  title: string | null;
  name: string;
  short_summary: string | null;
  topics: readonly Pick<Topic, 'title' | 'timestamp' | 'words'>[];
  participants: readonly Participant[];
  multitrack?: boolean;
}

/** Keeps speaker names and titles from turning into Markdown markup. */
const escapeMarkdown = (s: string) => s.replace(/([\\`*_[\]#<>|])/g, '\\$1');

/**
 * A readable document: the title, the short summary, then one section per topic with its start time and the
 * speakers' lines, each with its own time so a reader can find the passage in the recording.
 */
export function toMarkdown(src: MarkdownSource): string {
  const parts: string[] = [`# ${escapeMarkdown(src.title?.trim() || src.name || 'Transcript')}`];
  if (src.short_summary?.trim()) parts.push(src.short_summary.trim());
  for (const topic of src.topics) {
    if (!topic.words?.length) continue;
    const start = topic.words[0].start ?? topic.timestamp;
    parts.push(`## ${escapeMarkdown(topic.title?.trim() || 'Untitled topic')} [${formatMmss(start)}]`);
    for (const seg of namedSegments([topic], src.participants, src.multitrack)) {
      parts.push(`**${escapeMarkdown(seg.speaker_name)}** [${formatMmss(seg.start)}]: ${seg.text}`);
    }
  }
  return parts.join('\n\n') + '\n';
}

/** Words in time order; a stable sort keeps simultaneous words in recorded order. */
const byStart = (words: readonly Word[]) => [...words].sort((a, b) => a.start - b.start);

/**
 * The stored WebVTT column: default segmentation, numeric voices "<v Speaker0>". Each topic is segmented on
 * its own, like the named formats, so a cue never spans the gap between two topics; cues are in time order
 * even if words or topics were stored out of order.
 */
export function storedWebvtt(topics: readonly TopicWords[]): string {
  const cues = topics
    .filter((t) => t.words?.length)
    .map((t) => byStart(t.words))
    .sort((a, b) => a[0].start - b[0].start)
    .flatMap((words) => wordsToSegments(words))
    .map((s) => ({ start: s.start, end: s.end, voice: `Speaker${s.speaker}`, text: s.text.trim() }));
  return webvttDocument(cues);
}

/** Plain text of the whole transcript, one line per topic, for full-text search. */
export function plainText(topics: readonly Pick<Topic, 'words' | 'transcript'>[]): string {
  return topics
    .map((t) => (t.words?.length ? t.words.map((w) => w.text).join('') : (t.transcript ?? '')).replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

export type FormattedTranscript = { transcript_format: 'json'; transcript: NamedSegment[] } | { transcript_format: Exclude<TranscriptFormat, 'json'>; transcript: string };

export function renderTranscript(format: TranscriptFormat, src: MarkdownSource): FormattedTranscript {
  if (format === 'markdown') return { transcript_format: format, transcript: toMarkdown(src) };
  const segments = namedSegments(src.topics, src.participants, src.multitrack);
  switch (format) {
    case 'json':
      return { transcript_format: format, transcript: segments };
    case 'text-timestamped':
      return { transcript_format: format, transcript: toTextTimestamped(segments) };
    case 'webvtt-named':
      return { transcript_format: format, transcript: toWebvttNamed(segments) };
    case 'srt':
      return { transcript_format: format, transcript: toSrt(segments) };
    default:
      return { transcript_format: 'text', transcript: toText(segments) };
  }
}
