// The pipeline of an uploaded recording, as a graph of stages:
//
//   prepare (mp3, duration, waveform, ─┬─ transcribe ─┐
//            speech regions)           └─ diarize ────┴─ assemble ── translate ── topics ─┬─ title ──────────────┐
//                                                                                          └─ notes ─┬─ summary ──┼─ finish
//                                                                                                    ├─ actions ──┤
//                                                                                                    └─ speakers ─┘
// Stages run as jobs on any worker (in parallel where the graph allows); each reads its inputs from
// storage or from the outputs of the stages before it. Diarization, translation and everything the
// LLM writes may fail without failing the recording: the transcript and its topics stay.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { assignSpeakers, ModelServiceDiarization, probe, SpeechError, transcribeFile, transcodeAudio, type SpeakerSegment, type SpeechRegion, type Word } from '@reflector/speech';
import type { AppContext } from '../context.ts';
import type { Participant } from '../db/schema.ts';
import { emitTranscriptEvent, setTranscriptStatus } from '../events/transcript-events.ts';
import { LocalStorage } from '../storage/local.ts';
import { extractActionItems, extractiveSummary, extractiveTopics } from '../summary/extractive.ts';
import { llmCombine, llmNotes, llmTitle, llmTopics, type MeetingNotes } from '../summary/llm-summary.ts';
import { renderLongSummary } from '../summary/markdown.ts';
import type { ActionItems, DetectedTopic, Line } from '../summary/types.ts';
import { setParticipants, setTopics, type TopicInput } from '../transcripts/content.ts';
import { audioKey, waveformKey, workDir } from '../transcripts/files.ts';
import { speakerName, wordsToSegments } from '../transcripts/segments.ts';
import { registerPipeline, type StageContext } from './dag.ts';
import { llmClient, speechEngines } from './engines.ts';

export const FILE_PIPELINE = 'file';

interface TranscriptFacts {
  upload_key: string | null;
  speakers_expected: number | null;
  source_language: string;
  target_language: string;
  participants: Participant[];
  edited_fields: string[];
}

async function facts(sc: StageContext): Promise<TranscriptFacts> {
  const [row] = await sc.ctx.database.query<TranscriptFacts>(
    'SELECT upload_key, speakers_expected, source_language, target_language, participants, edited_fields FROM transcript WHERE id = $1',
    [sc.transcriptId],
  );
  if (!row) throw Object.assign(new Error('the transcript was deleted'), { permanent: true });
  return row;
}

/**
 * A local path of a stored object: the file itself for local storage, else a copy in this worker's
 * scratch directory (removed when the run's last stage ends).
 */
async function localCopy(sc: StageContext, key: string): Promise<string> {
  const { storage } = sc.ctx;
  if (storage instanceof LocalStorage) return storage.pathOf(key);
  const dir = runDir(sc);
  const file = path.join(dir, key.replaceAll('/', '_'));
  if (await stat(file).catch(() => null)) return file;
  await mkdir(dir, { recursive: true });
  // Sibling stages on this worker may fetch the same object at once: each writes its own partial file
  // and the atomic rename lets the last one win with identical content.
  const partial = `${file}.partial-${process.pid}-${randomUUID()}`;
  await pipeStreams(await storage.get(key), createWriteStream(partial));
  await rename(partial, file);
  return file;
}

/** A run's scratch directory on this worker (removed when the run ends or fails). */
const scratchDir = (config: AppContext['config'], transcriptId: string, runId: string) => path.join(workDir(config, transcriptId), runId);
const runDir = (sc: StageContext) => scratchDir(sc.ctx.config, sc.transcriptId, sc.runId);

/** The recording as 16 kHz mono PCM, written by prepare for the engines of this machine. */
const pcmPath = (sc: StageContext) => path.join(runDir(sc), 'audio-16k.wav');

/**
 * What a local engine reads: prepare's PCM when this worker can see it (no second decode, no ffmpeg
 * child), else the stored mp3 (a worker on another machine).
 */
async function engineInput(sc: StageContext): Promise<string> {
  const pcm = pcmPath(sc);
  if (await stat(pcm).catch(() => null)) return pcm;
  return localCopy(sc, audioKey(sc.transcriptId));
}

async function updateColumns(sc: StageContext, columns: Record<string, unknown>): Promise<void> {
  const names = Object.keys(columns);
  const sets = names.map((n, i) => `${n} = $${i + 2}`).join(', ');
  await sc.ctx.database.query(`UPDATE transcript SET ${sets} WHERE id = $1`, [sc.transcriptId, ...names.map((n) => columns[n])]);
}

/**
 * Test-only: REFLECTOR_TEST_STAGE_DELAY_MS makes every run wait that long after probing, so tests can
 * catch a job mid-run (e.g. to kill its worker). Never set it in a deployment.
 */
async function testStageDelay(signal?: AbortSignal): Promise<void> {
  const ms = Number(process.env.REFLECTOR_TEST_STAGE_DELAY_MS ?? 0);
  if (!(ms > 0)) return;
  await new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('processing stopped: the worker is shutting down'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('processing stopped: the worker is shutting down'));
    }, { once: true });
  });
}

// ---- stages -----------------------------------------------------------------------------------------

interface Prepared {
  durationSeconds: number;
  /** Found by the VAD while transcoding; recognition and diarization use them instead of running it again. */
  speechRegions: SpeechRegion[];
  /** Time spent inside the VAD (the stage's model time, see the pipeline endpoint). */
  inferenceSeconds: number;
}

async function prepare(sc: StageContext): Promise<Prepared> {
  const t = await facts(sc);
  await setTranscriptStatus(sc.ctx, sc.transcriptId, 'processing');
  // A reprocess after the original was dropped starts from the stored mp3.
  const sourceKey = t.upload_key && (await sc.ctx.storage.stat(t.upload_key)) ? t.upload_key : audioKey(sc.transcriptId);
  if (!(await sc.ctx.storage.stat(sourceKey))) throw new SpeechError('There is no recording to process', 'bad_input');
  const input = await localCopy(sc, sourceKey);
  const info = await probe(input, { signal: sc.signal });
  if (!info.hasAudio) throw new SpeechError('File has no audio stream', 'bad_input');
  await testStageDelay(sc.signal);
  // One decode gives the mp3 kept for playback (unless this is a reprocess from it), the 16 kHz PCM the
  // local engines read, the player's waveform and the speech regions.
  const dir = runDir(sc);
  await mkdir(dir, { recursive: true });
  const encode = sourceKey !== audioKey(sc.transcriptId);
  const mp3 = path.join(dir, 'audio.mp3');
  const { waveform, speechRegions, vadSeconds } = await transcodeAudio(
    input,
    { mp3: encode ? { path: mp3 } : undefined, pcmWav: pcmPath(sc), waveform: { durationSeconds: info.durationSeconds }, speech: {} },
    { signal: sc.signal },
  );
  if (encode) {
    await sc.ctx.storage.put(audioKey(sc.transcriptId), createReadStream(mp3), { contentType: 'audio/mpeg', size: (await stat(mp3)).size });
    await rm(mp3, { force: true });
  }
  const wave = waveform!.data;
  await sc.ctx.storage.put(waveformKey(sc.transcriptId), Buffer.from(JSON.stringify(wave)), { contentType: 'application/json' });
  const durationMs = Math.round(info.durationSeconds * 100_000) / 100;
  await updateColumns(sc, { duration: durationMs, audio_location: sc.ctx.storage.kind === 'aws' ? 'storage' : 'local' });
  await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'DURATION', { duration: durationMs });
  await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'WAVEFORM', { waveform: wave });
  return { durationSeconds: info.durationSeconds, speechRegions: speechRegions!, inferenceSeconds: vadSeconds };
}

interface Transcribed {
  words: Word[];
  language: string;
  engine: string;
  quality: string;
}

async function transcribe(sc: StageContext): Promise<Transcribed> {
  const t = await facts(sc);
  const prepared = await sc.output<Prepared>('prepare');
  const engines = await speechEngines(sc.ctx);
  let lastPercent = -1;
  let lastSent = 0;
  // A remote model service takes the whole file, the compact mp3 (it runs its own VAD and batching);
  // local engines get VAD batches from a streaming read of the PCM.
  const remote = engines.asr as { transcribeFile?: (p: string, o: { language?: string; signal?: AbortSignal }) => Promise<{ words: Word[]; language: string }> };
  if (typeof remote.transcribeFile === 'function') {
    const r = await remote.transcribeFile(await localCopy(sc, audioKey(sc.transcriptId)), { language: t.source_language, signal: sc.signal });
    return { words: r.words, language: r.language, engine: engines.describe.asr.id, quality: engines.describe.asr.quality };
  }
  const result = await transcribeFile(await engineInput(sc), engines.asr, {
    language: t.source_language,
    durationSeconds: prepared?.durationSeconds,
    speechRegions: prepared?.speechRegions,
    signal: sc.signal,
    onProgress: (fraction) => {
      const percent = Math.floor(fraction * 100);
      if (percent === lastPercent || (Date.now() - lastSent < 1000 && percent < 100)) return;
      lastPercent = percent;
      lastSent = Date.now();
      void emitTranscriptEvent(sc.ctx, sc.transcriptId, 'PROGRESS', { stage: 'transcribe', percent }).catch(() => {});
    },
  });
  return { words: result.words, language: result.language, engine: engines.describe.asr.id, quality: engines.describe.asr.quality };
}

async function diarize(sc: StageContext): Promise<{ segments: SpeakerSegment[]; engine: string } | null> {
  const engines = await speechEngines(sc.ctx);
  if (!engines.diarization) return null;
  const t = await facts(sc);
  // A diarization service is sent the compact mp3; a local diarizer reads the PCM.
  const remote = engines.diarization instanceof ModelServiceDiarization;
  const input = remote ? await localCopy(sc, audioKey(sc.transcriptId)) : await engineInput(sc);
  const speechRegions = remote ? undefined : (await sc.output<Prepared>('prepare'))?.speechRegions;
  const segments = await engines.diarization.diarizeFile(input, { signal: sc.signal, numSpeakers: t.speakers_expected ?? undefined, speechRegions });
  return { segments, engine: engines.describe.diarization.id };
}

async function assemble(sc: StageContext): Promise<{ words: Word[] }> {
  const transcribed = await sc.output<Transcribed>('transcribe');
  const diarized = await sc.output<{ segments: SpeakerSegment[] } | null>('diarize');
  const words = transcribed?.words ?? [];
  return { words: diarized?.segments.length ? assignSpeakers(words, diarized.segments) : words.map((w) => ({ ...w, speaker: 0 })) };
}

interface Translated {
  /** Translation of each line (same order as the lines of `toLines`), or null when not translated. */
  lines: Array<{ start: number; end: number; translation: string }> | null;
}

/** Lines per translation request: enough context for the model, few enough to keep each answer short. */
const TRANSLATION_BATCH = 20;

async function translate(sc: StageContext): Promise<Translated> {
  const t = await facts(sc);
  if (!t.target_language || t.target_language === t.source_language) return { lines: null };
  const engines = await speechEngines(sc.ctx);
  const { words } = (await sc.output<{ words: Word[] }>('assemble'))!;
  const lines = toLines(words, t.participants);
  const translateOne = (text: string) => engines.translation.translate(text, t.source_language, t.target_language, { signal: sc.signal });
  const out: NonNullable<Translated['lines']> = [];
  for (let i = 0; i < lines.length; i += TRANSLATION_BATCH) {
    const batch = lines.slice(i, i + TRANSLATION_BATCH);
    // One request per batch, one line per transcript line; if the answer loses the line structure,
    // translate that batch line by line instead.
    const answer = (await translateOne(batch.map((l) => l.text.replace(/\n/g, ' ')).join('\n'))).split('\n').filter((l) => l.trim());
    const translated = answer.length === batch.length ? answer : await Promise.all(batch.map((l) => translateOne(l.text)));
    batch.forEach((l, k) => out.push({ start: l.start, end: l.end, translation: translated[k].trim() }));
  }
  return { lines: out };
}

/** The transcript as speaker lines with display names, the unit every summariser reads. */
function toLines(words: Word[], participants: Participant[]): Line[] {
  return wordsToSegments(words.map((w) => ({ ...w, speaker: w.speaker ?? 0 }))).map((s) => ({
    start: s.start,
    end: s.end,
    speaker: speakerName(s.speaker, participants),
    text: s.text.trim(),
  }));
}

interface TopicsOutput {
  topics: DetectedTopic[];
  method: 'llm' | 'extractive';
  /** Why the LLM's topics were not used, when it failed. */
  fallbackReason?: string;
}

async function topics(sc: StageContext): Promise<TopicsOutput> {
  const t = await facts(sc);
  const { words } = (await sc.output<{ words: Word[] }>('assemble'))!;
  const translated = await sc.output<Translated>('translate');
  const lines = toLines(words, t.participants);
  const llm = llmClient(sc.ctx.config);
  let detected: DetectedTopic[];
  let method: 'llm' | 'extractive' = 'extractive';
  let fallbackReason: string | undefined;
  if (!lines.length) detected = [];
  else if (llm) {
    try {
      detected = await llmTopics(llm, lines, { signal: sc.signal });
      method = 'llm';
    } catch (err) {
      // Topics carry the words: without them nothing would be visible, so fall back rather than fail.
      fallbackReason = (err as Error).message;
      sc.ctx.log.warn({ transcriptId: sc.transcriptId, err: fallbackReason }, 'LLM topics failed; using extractive topics');
      detected = extractiveTopics(lines);
    }
  } else detected = extractiveTopics(lines);

  const inputs: TopicInput[] = detected.map((d, i) => {
    const last = i === detected.length - 1;
    const inTopic = (time: number) => time >= d.start && (last || time < d.end);
    const topicWords = words.filter((w) => inTopic(w.start));
    const translation = translated?.lines?.filter((l) => inTopic(l.start)).map((l) => l.translation).join(' ');
    return {
      title: d.title,
      summary: d.summary,
      timestamp: d.start,
      words: topicWords,
      ...(translation ? { translation } : {}),
    };
  });
  const stored = await setTopics(sc.ctx, sc.transcriptId, inputs);
  for (const topic of stored) {
    const { words: topicWords, ...rest } = topic;
    await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'TOPIC', { ...rest, segments: segmentsOf(topicWords) });
  }
  return { topics: detected, method, fallbackReason };
}

function segmentsOf(words: Word[]) {
  return wordsToSegments(words.map((w) => ({ ...w, speaker: w.speaker ?? 0 }))).map((s) => ({ text: s.text.trim(), start: s.start, speaker: s.speaker }));
}

async function title(sc: StageContext): Promise<{ title: string }> {
  const t = await facts(sc);
  const found = (await sc.output<TopicsOutput>('topics'))!;
  const llm = llmClient(sc.ctx.config);
  let value: string;
  if (llm && found.topics.length) value = await llmTitle(llm, found.topics, { signal: sc.signal });
  else {
    const { words } = (await sc.output<{ words: Word[] }>('assemble'))!;
    value = extractiveSummary(toLines(words, t.participants), found.topics).title;
  }
  // A title someone typed stays; the event still says what the machine would call it.
  if (!t.edited_fields.includes('title')) await updateColumns(sc, { title: value });
  await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'FINAL_TITLE', { title: value });
  return { title: value };
}

async function notes(sc: StageContext): Promise<MeetingNotes & { method: 'llm' | 'extractive' }> {
  const t = await facts(sc);
  const { words } = (await sc.output<{ words: Word[] }>('assemble'))!;
  const lines = toLines(words, t.participants);
  const llm = llmClient(sc.ctx.config);
  if (llm && lines.length) return { ...(await llmNotes(llm, lines, { signal: sc.signal })), method: 'llm' };
  return { points: [], actionItems: extractActionItems(lines), speakerNames: [], method: 'extractive' };
}

async function summary(sc: StageContext): Promise<{ method: 'llm' | 'extractive' }> {
  const t = await facts(sc);
  const found = (await sc.output<TopicsOutput>('topics'))!;
  // Without notes (the LLM failed on them) the summary is extractive; the failure is reported at the end.
  const taken = await sc.output<MeetingNotes & { method: 'llm' | 'extractive' }>('notes');
  const llm = llmClient(sc.ctx.config);
  let short: string;
  let long: string;
  let method: 'llm' | 'extractive';
  if (llm && taken?.method === 'llm') {
    const combined = await llmCombine(llm, taken.points, found.topics, { signal: sc.signal });
    short = combined.shortSummary;
    long = renderLongSummary(combined.recap, combined.subjects, taken.actionItems);
    method = 'llm';
  } else {
    const { words } = (await sc.output<{ words: Word[] }>('assemble'))!;
    const s = extractiveSummary(toLines(words, t.participants), found.topics);
    short = s.shortSummary;
    long = s.longSummary;
    method = 'extractive';
  }
  const columns: Record<string, unknown> = { summary_method: method };
  if (!t.edited_fields.includes('short_summary')) columns.short_summary = short;
  if (!t.edited_fields.includes('long_summary')) columns.long_summary = long;
  await updateColumns(sc, columns);
  await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'FINAL_SHORT_SUMMARY', { short_summary: short });
  await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'FINAL_LONG_SUMMARY', { long_summary: long });
  return { method };
}

async function actions(sc: StageContext): Promise<null> {
  const t = await facts(sc);
  const taken = await sc.output<{ actionItems: ActionItems }>('notes');
  if (!taken) return null; // the notes failed: reported at the end
  const items = withParticipantIds(taken.actionItems, t.participants);
  if (!t.edited_fields.includes('action_items')) await updateColumns(sc, { action_items: JSON.stringify(items) });
  await emitTranscriptEvent(sc.ctx, sc.transcriptId, 'ACTION_ITEMS', { action_items: items });
  return null;
}

/** Links owners and deciders to participants when the names match. */
function withParticipantIds(items: ActionItems, participants: Participant[]) {
  const idOf = (name?: string | null) => (name ? (participants.find((p) => p.name.toLowerCase() === name.toLowerCase())?.id ?? null) : null);
  return {
    decisions: items.decisions.map((d) => ({ ...d, decided_by_participant_id: idOf(d.decided_by) })),
    next_steps: items.next_steps.map((n) => ({ ...n, assigned_to_participant_id: idOf(n.assigned_to) })),
  };
}

/** One participant per detected speaker; names people gave are kept, names found in the talk are used otherwise. */
async function speakers(sc: StageContext): Promise<null> {
  const t = await facts(sc);
  const { words } = (await sc.output<{ words: Word[] }>('assemble'))!;
  const taken = await sc.output<MeetingNotes>('notes');
  const indexes = [...new Set(words.map((w) => w.speaker ?? 0))].sort((a, b) => a - b);
  const participants = [...t.participants];
  for (const speaker of indexes) {
    if (participants.some((p) => p.speaker === speaker)) continue;
    const label = `Speaker ${speaker}`;
    const found = taken?.speakerNames.find((n) => n.speaker === label)?.name;
    participants.push({ id: randomUUID(), speaker, name: found ?? label, user_id: null });
  }
  if (participants.length !== t.participants.length) await setParticipants(sc.ctx, sc.transcriptId, participants);
  return null;
}

/** Collects the notices of failed optional steps; the status is set once the run is recorded as ended. */
async function finish(sc: StageContext): Promise<{ notice: string | null }> {
  const failures = await sc.ctx.database.query<{ stage: string; error: string }>(
    "SELECT stage, error FROM pipeline_stage WHERE run_id = $1 AND status = 'failed' ORDER BY stage",
    [sc.runId],
  );
  const found = await sc.output<TopicsOutput>('topics');
  const notices = failures.map((f) => `${f.stage}: ${f.error}${f.stage === 'diarize' ? ' (all words are given to one speaker)' : ''}`);
  if (found?.fallbackReason) notices.unshift(`topics: ${found.fallbackReason} (extractive topics shown instead)`);
  await rm(runDir(sc), { recursive: true, force: true });
  return { notice: notices.length ? notices.join('\n') : null };
}

registerPipeline({
  kind: FILE_PIPELINE,
  stages: [
    { name: 'prepare', after: [], run: prepare },
    { name: 'transcribe', after: ['prepare'], run: transcribe },
    { name: 'diarize', after: ['prepare'], run: diarize, optional: true },
    { name: 'assemble', after: ['transcribe', 'diarize'], run: assemble },
    { name: 'translate', after: ['assemble'], run: translate, optional: true },
    { name: 'topics', after: ['assemble', 'translate'], run: topics },
    { name: 'title', after: ['topics'], run: title, optional: true },
    { name: 'notes', after: ['topics'], run: notes, optional: true },
    { name: 'summary', after: ['notes'], run: summary, optional: true },
    { name: 'actions', after: ['notes'], run: actions, optional: true },
    { name: 'speakers', after: ['assemble', 'notes'], run: speakers, optional: true },
    { name: 'finish', after: ['title', 'summary', 'actions', 'speakers'], run: finish },
  ],
  // `ended` only after the run itself is recorded as ended, so nobody sees an ended transcript whose run
  // still counts as running (a reprocess would be refused as "already running").
  async onSuccess(ctx: AppContext, transcriptId: string, runId: string) {
    const [row] = await ctx.database.query<{ output: { notice: string | null } | null }>(
      "SELECT output FROM pipeline_stage WHERE run_id = $1 AND stage = 'finish'",
      [runId],
    );
    // Optional steps that failed leave a notice, but the recording itself is done.
    await setTranscriptStatus(ctx, transcriptId, 'ended', row?.output?.notice ?? null);
  },
  async onFailure(ctx: AppContext, transcriptId: string, stage: string, error: Error, runId: string) {
    // The scratch files of this worker (a multi-hour PCM is hundreds of MB) go with the failed run.
    await rm(scratchDir(ctx.config, transcriptId, runId), { recursive: true, force: true });
    const reason = stage === 'prepare' || error instanceof SpeechError ? error.message : `${stage} failed: ${error.message}`;
    await setTranscriptStatus(ctx, transcriptId, 'error', reason);
  },
});
