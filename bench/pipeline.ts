// The file pipeline end to end on synthetic meetings: accuracy (WER, DER after assembly, topic coverage),
// speed (real-time factor, time outside model inference) and memory of every process involved.
//
//   pipeline       a 10-minute two-speaker meeting, embedded configuration (`reflector all`)
//   pipeline-long  a 2-hour meeting (speech in every tenth minute), distributed configuration:
//                  `reflector server` + `reflector worker` on PostgreSQL and Redis
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildDialogue, ClassicalDiarizer, computeDer, SUBJECTS, synthesizeMeeting, wordErrorRate, type SynthMeeting } from '@reflector/speech';
import { uploadInChunks } from '../apps/server/test/support/media.ts';
import type { BenchModule, BenchResult, BenchRow } from './support/report.ts';
import { startServer, type ServerProcess } from './support/server.ts';

const ADMIN_PG_URL = process.env.TEST_PG_URL ?? 'postgresql://reflector_test:reflector_test@127.0.0.1:5432/postgres';

/** RSS of processes and all their descendants (engines, ffmpeg), in bytes, from one `ps` listing, with each process's share. */
function treeRss(roots: number[]): { total: number; parts: Array<{ name: string; bytes: number }> } {
  const procs = new Map<number, { name: string; bytes: number }>();
  const children = new Map<number, number[]>();
  for (const line of execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' }).trim().split('\n')) {
    const [pid, ppid, kb, ...args] = line.trim().split(/\s+/);
    procs.set(Number(pid), { name: processName(args), bytes: Number(kb) * 1024 });
    children.set(Number(ppid), [...(children.get(Number(ppid)) ?? []), Number(pid)]);
  }
  const parts: Array<{ name: string; bytes: number }> = [];
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    const proc = procs.get(pid);
    if (proc) parts.push(proc);
    stack.push(...(children.get(pid) ?? []));
  }
  return { total: parts.reduce((n, p) => n + p.bytes, 0), parts };
}

/** `reflector worker`, `pocketsphinx_batch`, `ffmpeg`: enough to tell the processes of a run apart. */
function processName(args: string[]): string {
  const role = args.findIndex((a) => a.endsWith('reflector.js'));
  return role >= 0 ? `reflector ${args[role + 1] ?? ''}`.trim() : path.basename(args[0] ?? '?');
}

class RssSampler {
  peak = 0;
  /** The processes and their RSS when the peak was sampled. */
  peakParts: Array<{ name: string; bytes: number }> = [];
  private timer: NodeJS.Timeout;
  constructor(pids: () => number[], everyMs = 250) {
    this.timer = setInterval(() => {
      const { total, parts } = treeRss(pids());
      if (total > this.peak) [this.peak, this.peakParts] = [total, parts];
    }, everyMs);
  }
  stop() {
    clearInterval(this.timer);
  }
  /** "worker 184 MB + pocketsphinx_batch 106 MB + …", largest first. */
  describePeak(): string {
    return [...this.peakParts].sort((a, b) => b.bytes - a.bytes).map((p) => `${p.name} ${mb(p.bytes)}`).join(' + ');
  }
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

async function waitEnded(url: string, id: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = (await (await fetch(`${url}/v1/transcripts/${id}`)).json()) as { status: string; error: string | null };
    if (t.status === 'ended' || t.status === 'error') return t;
    if (Date.now() > deadline) throw new Error(`transcript still ${t.status} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface RunFigures {
  wallSeconds: number;
  stages: Array<{ stage: string; seconds: number | null; inference_seconds: number | null }>;
  segments: Array<{ speaker: number; text: string; start: number; end: number }>;
  topics: Array<{ title: string; timestamp: number; duration: number | null }>;
  status: string;
  error: string | null;
}

async function runOne(server: ServerProcess, file: string, timeoutMs: number): Promise<RunFigures> {
  const get = async (p: string) => (await (await fetch(`${server.url}${p}`)).json()) as any;
  const created = (await (await fetch(`${server.url}/v1/transcripts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', source_kind: 'file' }) })).json()) as { id: string };
  const data = await readFile(file);
  const started = Date.now();
  await uploadInChunks(server.url, created.id, data, 50 * 2 ** 20, path.basename(file));
  const t = await waitEnded(server.url, created.id, timeoutMs);
  const wallSeconds = (Date.now() - started) / 1000;
  const run = await get(`/v1/transcripts/${created.id}/pipeline`);
  const json = await get(`/v1/transcripts/${created.id}?transcript_format=json`);
  const topics = await get(`/v1/transcripts/${created.id}/topics`);
  return { wallSeconds, stages: run.stages, segments: json.transcript, topics, status: t.status, error: t.error };
}

/** A scripted subject is covered when one topic overlaps at least half of the time spent on it. */
function topicCoverage(meeting: SynthMeeting, topics: RunFigures['topics']) {
  const subjectOf = (text: string) => SUBJECTS.find((s) => s.sentences.some((sentence) => text.includes(sentence)))?.id;
  const spans = new Map<string, { start: number; end: number }>();
  for (const turn of meeting.turns) {
    const id = subjectOf(turn.text);
    if (!id) continue;
    const span = spans.get(id);
    // Only the first pass through the agenda counts; a long meeting goes through it again.
    if (!span) spans.set(id, { start: turn.start, end: turn.end });
    else if (turn.start - span.end < 60) span.end = turn.end;
  }
  const covered = [...spans.entries()].filter(([, s]) =>
    topics.some((t) => {
      const end = t.timestamp + (t.duration ?? 0);
      return Math.min(end, s.end) - Math.max(t.timestamp, s.start) >= 0.5 * (s.end - s.start);
    }),
  );
  return { covered: covered.length, total: spans.size };
}

async function accuracyRows(meeting: SynthMeeting, fig: RunFigures): Promise<BenchRow[]> {
  const { wer } = wordErrorRate(meeting.transcript, fig.segments.map((s) => s.text).join(' '));
  const reference = meeting.segments.map((s) => ({ start: s.start, end: s.end, speaker: s.speaker }));
  // The diarizer the pipeline runs, on the same recording: who spoke when, before words are attached.
  const diarized = await new ClassicalDiarizer().diarizeFile(meeting.wavPath);
  const der = computeDer(reference, diarized.map((s) => ({ ...s, speaker: String(s.speaker) })));
  // The final transcript's segments also carry recognition timing (word edges, pauses inside segments).
  const final = computeDer(reference, fig.segments.map((s) => ({ start: s.start, end: s.end, speaker: String(s.speaker) })));
  const coverage = topicCoverage(meeting, fig.topics);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    { metric: 'WER (pocketsphinx, basic)', value: pct(wer), target: '≤ 12 %', pass: wer <= 0.12 },
    { metric: 'DER of the diarization (no collar, speakers estimated)', value: pct(der.der), target: '≤ 5 %', pass: der.der <= 0.05 },
    {
      metric: 'DER of the final transcript segments',
      value: `${pct(final.der)} (speaker confusion ${pct(final.confusion / final.referenceSpeech)}, missed ${pct(final.missed / final.referenceSpeech)}, false alarm ${pct(final.falseAlarm / final.referenceSpeech)})`,
    },
    { metric: 'speakers found', value: String(new Set(fig.segments.map((s) => s.speaker)).size), target: String(meeting.speakers.length), pass: new Set(fig.segments.map((s) => s.speaker)).size === meeting.speakers.length },
    { metric: 'scripted subjects covered by a topic', value: `${coverage.covered} of ${coverage.total} (${fig.topics.length} topics)`, target: 'all', pass: coverage.covered === coverage.total },
  ];
}

const INFERENCE = new Set(['transcribe', 'diarize']);

function speedRows(duration: number, fig: RunFigures): BenchRow[] {
  const rtf = fig.wallSeconds / duration;
  // Counted in full, though `prepare` runs the VAD on the side: ffmpeg encodes on the other core meanwhile, so
  // subtracting the VAD's time would hide the encoding behind it.
  const outside = fig.stages.filter((s) => !INFERENCE.has(s.stage)).reduce((a, s) => a + (s.seconds ?? 0), 0);
  const prepareStage = fig.stages.find((s) => s.stage === 'prepare');
  const prepare = prepareStage?.seconds ?? 0;
  const vad = prepareStage?.inference_seconds ?? 0;
  const byStage = fig.stages.map((s) => `${s.stage} ${s.seconds?.toFixed(1) ?? '-'}`).join(', ');
  return [
    { metric: 'real-time factor (upload done → ended)', value: rtf.toFixed(3), target: '≤ 0.3', pass: rtf <= 0.3 },
    { metric: 'time outside model inference / audio', value: `${((outside / duration) * 100).toFixed(2)} % (${outside.toFixed(1)} s, of which prepare ${prepare.toFixed(1)} s, its VAD ${vad.toFixed(1)} s included)`, target: '≤ 1 %', pass: outside / duration <= 0.01 },
    { metric: 'stage seconds', value: byStage },
  ];
}

export const pipelineBench: BenchModule = {
  name: 'pipeline',
  async run(): Promise<BenchResult> {
    const meeting = await synthesizeMeeting({ turns: buildDialogue({ speakers: ['slt', 'kal'], minutes: 10, seed: 10 }), name: 'bench-10min' });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-bench-pipeline-'));
    const server = await startServer('all', { DATA_DIR: path.join(dir, 'data') }, dir);
    const sampler = new RssSampler(() => [server.pid]);
    try {
      const fig = await runOne(server, meeting.wavPath, 30 * 60_000);
      sampler.stop();
      return {
        title: 'File pipeline: 10-minute two-speaker meeting, embedded engines',
        rows: [
          { metric: 'audio', value: `${(meeting.duration / 60).toFixed(1)} min, ${meeting.turns.length} turns, voices ${meeting.speakers.join(' + ')}` },
          { metric: 'status', value: fig.error ? `${fig.status} (${fig.error})` : fig.status, target: 'ended', pass: fig.status === 'ended' },
          ...(await accuracyRows(meeting, fig)),
          ...speedRows(meeting.duration, fig),
          { metric: 'peak RSS, reflector all and its children', value: `${mb(sampler.peak)} (${sampler.describePeak()})` },
        ],
        notes: [
          'A festival-synthesised meeting (slt and kal voices, scripted dialogue over five subjects) is uploaded in 50 MB chunks to `reflector all` with embedded defaults and no LLM (extractive topics and summary). WER is measured on the final transcript; DER compares the speaker segments of the final transcript (after assembly of speakers onto words) with the reference RTTM, so it includes assembly errors.',
          '"Time outside model inference" sums the stages other than transcription and diarization: prepare (probe, then one decode that writes the mp3, the waveform and the 16 kHz PCM the engines read), assembly, topics, summary, action items and the bookkeeping between stages. The embedded process includes PGlite (embedded PostgreSQL), which alone holds several hundred MB.',
        ],
      };
    } finally {
      sampler.stop();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Two hours of meeting: one minute of dialogue in every ten, separated by room tone. */
async function sparseLongMeeting(dir: string, minutes: number): Promise<{ file: string; duration: number; speechMinutes: number }> {
  const meeting = await synthesizeMeeting({ turns: buildDialogue({ speakers: ['slt', 'kal'], minutes: 1, seed: 3 }), name: 'bench-1min' });
  const blocks = Math.ceil(minutes / 10);
  const list = path.join(dir, 'list.txt');
  const silence = path.join(dir, 'silence.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.002:duration=${600 - meeting.duration}:r=16000`, '-ac', '1', '-y', silence]);
  const speech = path.join(dir, 'speech.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-i', meeting.wavPath, '-ar', '16000', '-ac', '1', '-y', speech]);
  await writeFile(list, Array.from({ length: blocks }, () => `file '${speech}'\nfile '${silence}'`).join('\n'));
  const file = path.join(dir, 'long.mp3');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c:a', 'libmp3lame', '-b:a', '48k', '-y', file]);
  return { file, duration: blocks * 600, speechMinutes: (blocks * meeting.duration) / 60 };
}

export const pipelineLongBench: BenchModule = {
  name: 'pipeline-long',
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-bench-long-'));
    const dbName = `reflector_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const env = {
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: ADMIN_PG_URL.replace(/\/[^/]*$/, `/${dbName}`),
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      REDIS_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    };
    let server: ServerProcess | null = null;
    try {
      const long = await sparseLongMeeting(dir, 120);
      server = await startServer('server', env, dir);
      // The worker role serves no HTTP: a plain child process.
      const child = spawn(process.execPath, [path.resolve('apps/server/bin/reflector.js'), 'worker'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env }, stdio: 'ignore' });
      const sampler = new RssSampler(() => [server!.pid, child.pid!].filter(Boolean));
      try {
        const fig = await runOne(server, long.file, 120 * 60_000);
        sampler.stop();
        return {
          title: 'File pipeline: 2-hour recording, memory across all processes',
          rows: [
            { metric: 'audio', value: `${(long.duration / 3600).toFixed(1)} h (${long.speechMinutes.toFixed(0)} min of speech)` },
            { metric: 'status', value: fig.error ? `${fig.status} (${fig.error})` : fig.status, target: 'ended', pass: fig.status === 'ended' },
            { metric: 'peak RSS, server + worker + their children', value: `${mb(sampler.peak)} (${sampler.describePeak()})`, target: '< 600 MB', pass: sampler.peak < 600 * 2 ** 20 },
            ...speedRows(long.duration, fig).slice(1),
            { metric: 'wall time', value: `${(fig.wallSeconds / 60).toFixed(1)} min` },
          ],
          notes: [
            'Distributed configuration on one machine: `reflector server` and one `reflector worker` process on PostgreSQL and Redis, local storage. RSS is the sum over both processes and every child they start (pocketsphinx, ffmpeg), sampled every 250 ms; the PostgreSQL and Redis servers are not counted.',
            'The recording is two hours long with one minute of two-speaker dialogue in every ten minutes and quiet pink noise in between, so decoding, VAD, diarization, the waveform and mp3 encoding run over the full two hours while recognition stays short.',
          ],
        };
      } finally {
        sampler.stop();
        child.kill('SIGTERM');
      }
    } finally {
      await server?.stop();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
