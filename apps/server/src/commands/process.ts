// `reflector process FILE`: the whole pipeline on one file, without a server. It runs the same stages as
// the platform, in this process, on a throwaway embedded database, and prints the result.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig, readEnv } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import type { TranscriptRow } from '../db/schema.ts';
import { transcriptChannel } from '../events/transcript-events.ts';
import { stageJobHandler, startRun } from '../pipeline/dag.ts';
import { closeSpeechEngines } from '../pipeline/engines.ts';
import { FILE_PIPELINE } from '../pipeline/file-pipeline.ts';
import { formatMmss, namedSegments } from '../transcripts/formats.ts';
import { createTranscript, findTranscript } from '../transcripts/repository.ts';
import { uploadKey } from '../transcripts/files.ts';

const HELP = `Usage: reflector process FILE [options]

Transcribes FILE (any audio or video ffmpeg reads), tells the speakers apart, finds topics and writes a
title, summaries and action items, using the engines and LLM of the current configuration (.env).

Options:
  --json                  print one JSON document instead of text
  --language L            spoken language (ISO 639-1, default en)
  --target-language L     translate into L
  --speakers N            number of speakers, when known
  -h, --help              show this help

Progress goes to stderr; the result to stdout.
`;

const STAGE_LABELS: Record<string, string> = {
  prepare: 'reading the recording',
  transcribe: 'recognising speech',
  diarize: 'telling speakers apart',
  assemble: 'assembling',
  translate: 'translating',
  topics: 'finding topics',
  title: 'writing the title',
  notes: 'taking notes',
  summary: 'summarising',
  actions: 'listing action items',
  finish: 'finishing',
};

export async function processCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      language: { type: 'string' },
      'target-language': { type: 'string' },
      speakers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`process: give exactly one FILE\n\n${HELP}`);
    return 2;
  }
  const speakers = values.speakers === undefined ? undefined : Number(values.speakers);
  if (speakers !== undefined && !(Number.isInteger(speakers) && speakers >= 1 && speakers <= 32)) {
    process.stderr.write('process: --speakers must be a whole number from 1 to 32\n');
    return 2;
  }

  const file = path.resolve(positionals[0]);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    process.stderr.write(`process: ${positionals[0]}: no such file\n`);
    return 1;
  }
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'reflector-process-'));
  const env = readEnv();
  // Everything lives in the scratch directory: no server, no Redis, no shared storage.
  const config = loadConfig({
    ...env,
    DATA_DIR: scratch,
    MODELS_DIR: env.MODELS_DIR ?? path.resolve(env.DATA_DIR ?? './data', 'models'),
    DATABASE_URL: '',
    REDIS_URL: '',
    REDIS_HOST: '',
    TRANSCRIPT_STORAGE_BACKEND: '',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
  });
  const ctx = await createContext(config, { migrate: true, inMemoryDatabase: true, log: pino({ level: config.LOG_LEVEL }, pino.destination(2)) });
  const progress = new ProgressLine(process.stderr);
  try {
    await ctx.jobs.startWorker({ 'pipeline-stage': stageJobHandler(ctx) }, { concurrency: 2 });
    const t = await createTranscript(ctx, {
      name: path.basename(file),
      source_kind: 'file',
      source_language: values.language ?? 'en',
      target_language: values['target-language'] ?? values.language ?? 'en',
    });
    const ext = path.extname(file).slice(1).toLowerCase() || 'bin';
    await ctx.storage.put(uploadKey(t.id, ext), createReadStream(file), { size: info.size });
    await ctx.database.query("UPDATE transcript SET upload_key = $2, source_kind = 'file', speakers_expected = $3 WHERE id = $1", [t.id, uploadKey(t.id, ext), speakers ?? null]);

    const done = waitForEnd(ctx, t.id, progress);
    await startRun(ctx, FILE_PIPELINE, t.id);
    const status = await done;
    progress.clear();
    const row = (await findTranscript(ctx, t.id))!;
    if (status === 'error') {
      process.stderr.write(`process: ${row.error ?? 'processing failed'}\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(asJson(row), null, 2)}\n` : asText(row));
    if (row.error) process.stderr.write(`note: ${row.error}\n`);
    return 0;
  } finally {
    progress.clear();
    await ctx.jobs.drain?.();
    await closeSpeechEngines(ctx);
    await ctx.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function waitForEnd(ctx: AppContext, id: string, progress: ProgressLine): Promise<'ended' | 'error'> {
  return new Promise((resolve) => {
    void ctx.events.subscribe(transcriptChannel(id), (m) => {
      const data = m.data as Record<string, unknown>;
      if (m.event === 'PROGRESS') progress.show(`${STAGE_LABELS[String(data.stage)] ?? data.stage}`, Number(data.percent));
      else if (m.event === 'TOPIC') progress.show(STAGE_LABELS.topics);
      else if (m.event === 'FINAL_TITLE') progress.show(STAGE_LABELS.summary);
      else if (m.event === 'STATUS' && (data.value === 'ended' || data.value === 'error')) resolve(data.value);
    });
    progress.show(STAGE_LABELS.prepare);
  });
}

/** One self-rewriting line on a terminal; plain lines otherwise. */
class ProgressLine {
  private last = '';
  constructor(private readonly out: NodeJS.WriteStream) {}

  show(label: string, percent?: number): void {
    const text = percent === undefined ? label : `${label} ${bar(percent)} ${percent}%`;
    if (text === this.last) return;
    this.last = text;
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}`);
    else if (percent === undefined || percent % 25 === 0) this.out.write(`${text}\n`);
  }

  clear(): void {
    if (this.out.isTTY && this.last) this.out.write('\r\x1b[2K');
    this.last = '';
  }
}

const bar = (percent: number) => {
  const filled = Math.round(Math.max(0, Math.min(100, percent)) / 5);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
};

function asJson(row: TranscriptRow) {
  const names = new Map(row.participants.map((p) => [p.speaker, p.name]));
  return {
    title: row.title,
    duration: row.duration / 1000,
    source_language: row.sourceLanguage,
    target_language: row.targetLanguage,
    summary_method: row.summaryMethod,
    short_summary: row.shortSummary,
    long_summary: row.longSummary,
    action_items: row.actionItems,
    participants: row.participants.map((p) => ({ speaker: p.speaker, name: p.name })),
    topics: row.topics.map((t) => ({ title: t.title, summary: t.summary, start: t.timestamp, duration: t.duration })),
    words: row.topics.flatMap((t) => t.words.map((w) => ({ text: w.text.trim(), start: w.start, end: w.end, speaker: w.speaker, speaker_name: names.get(w.speaker) ?? `Speaker ${w.speaker}` }))),
    notice: row.error,
  };
}

function asText(row: TranscriptRow): string {
  const out: string[] = [`# ${row.title ?? row.name}`, ''];
  out.push(`Duration: ${formatMmss(row.duration / 1000)}${row.summaryMethod === 'extractive' ? '   (summary: extractive, no LLM configured)' : ''}`, '');
  if (row.shortSummary) out.push(row.shortSummary, '');
  if (row.topics.length) {
    out.push('## Topics', '');
    for (const t of row.topics) out.push(`[${formatMmss(t.timestamp)}] ${t.title}${t.summary ? ` — ${t.summary}` : ''}`);
    out.push('');
  }
  const items = row.actionItems;
  if (items && (items.decisions.length || items.next_steps.length)) {
    out.push('## Action items', '');
    for (const d of items.decisions) out.push(`- Decision: ${d.decision}`);
    for (const n of items.next_steps) out.push(`- ${n.task}${n.assigned_to ? ` (${n.assigned_to})` : ''}${n.deadline ? ` — ${n.deadline}` : ''}`);
    out.push('');
  }
  if (row.longSummary) out.push('## Summary', '', row.longSummary.trim(), '');
  out.push('## Transcript', '');
  for (const s of namedSegments(row.topics, row.participants)) out.push(`[${formatMmss(s.start)}] ${s.speaker_name}: ${s.text.trim()}`);
  return `${out.join('\n')}\n`;
}
