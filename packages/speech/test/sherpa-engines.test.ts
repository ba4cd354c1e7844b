// sherpa-onnx engines through the real native loaders and decoders, fed stand-in models and festival
// speech; bad models must fail as rejected promises while this process and the next request survive.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SherpaAsrEngine, SherpaDiarizationEngine, SherpaProcess, SpeechError, buildRecognizerConfig, decodePcm, type SherpaAsrModel } from '../src/index.ts';
import { writeGarbageOnnx, writeStandinEmbedding, writeStandinSegmentation, writeStandinTdnn, writeTruncatedCopy } from '../src/testing/standin-models.ts';

const run = promisify(execFile);
let work: string;
let conversation: string; // 1 s silence, slt sentence, 1 s, kal sentence, 1 s
let pcm: Float32Array;
let seg: string;
let emb: string;
const timings: Record<string, number> = {};

async function say(text: string, voice: string, out: string): Promise<string> {
  await run('bash', ['-c', `echo "${text}" | text2wave -eval '(${voice})' -o ${out}`]);
  return out;
}

function tdnnModel(dir: string, id = 'standin-tdnn'): SherpaAsrModel {
  return {
    id,
    family: 'tdnn',
    languages: ['en'],
    quality: 'standard',
    dir,
    files: [
      { role: 'model', path: 'model.onnx', onnx: 'tdnn' },
      { role: 'tokens', path: 'tokens.txt' },
    ],
  };
}

async function expectSpeechError(p: Promise<unknown>, kind: SpeechError['kind'], message: RegExp): Promise<SpeechError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpeechError);
  expect((err as SpeechError).kind).toBe(kind);
  expect((err as SpeechError).message).toMatch(message);
  return err as SpeechError;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'reflector-sherpa-'));
  const a = await say('Good morning everyone. Let us start the weekly planning meeting.', 'voice_cmu_us_slt_arctic_hts', join(work, 'a.wav'));
  const b = await say('We need to hire two more engineers for the mobile team.', 'voice_kal_diphone', join(work, 'b.wav'));
  conversation = join(work, 'conversation.wav');
  await run('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-y', '-i', a, '-i', b, '-filter_complex'],
    '[0]aresample=16000,apad=pad_dur=1[a];[1]aresample=16000,apad=pad_dur=1[b];anullsrc=r=16000:cl=mono,atrim=0:1[s];[s][a][b]concat=n=3:v=0:a=1',
    ...['-ac', '1', '-ar', '16000', conversation],
  ]);
  const blocks: Float32Array[] = [];
  for await (const block of decodePcm(conversation)) blocks.push(block);
  pcm = new Float32Array(blocks.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of blocks) pcm.set(x, (o += x.length) - x.length);
  await writeStandinTdnn(join(work, 'tdnn'));
  seg = await writeStandinSegmentation(join(work, 'seg.onnx'));
  emb = await writeStandinEmbedding(join(work, 'emb.onnx'));
});

afterAll(async () => {
  console.log('sherpa timings (ms):', JSON.stringify(timings));
  await rm(work, { recursive: true, force: true });
});

/** Speech regions of the fixture, from how it was built (1 s lead-in, 1 s gaps). */
function speechBounds(): { firstEnd: number; secondStart: number; total: number } {
  const total = pcm.length / 16000;
  return { firstEnd: 1 + 4.6, secondStart: 1 + 4.2 + 1, total };
}

describe('SherpaAsrEngine (OfflineRecognizer in a child process)', () => {
  it('loads and decodes with real sherpa code, returning words with times inside the speech', async () => {
    const engine = new SherpaAsrEngine(tdnnModel(join(work, 'tdnn')));
    try {
      timings.asrLoad = (await engine.load()).loadMs;
      const t0 = performance.now();
      const res = await engine.transcribe(pcm, { timestampOffset: 100 });
      timings.asrDecode11s = performance.now() - t0;
      expect(res.wordTiming).toBe('model');
      expect(res.language).toBe('en');
      expect(res.words.length).toBeGreaterThan(3);
      expect(res.words.every((w, i) => w.text === (i ? ' speech' : 'speech'))).toBe(true);
      expect(res.text.split(' ').length).toBe(res.words.length);
      const { total } = speechBounds();
      for (const w of res.words) {
        expect(w.start).toBeGreaterThanOrEqual(100 + 0.9); // nothing in the leading silence
        expect(w.end).toBeGreaterThan(w.start);
        expect(w.end).toBeLessThanOrEqual(100 + total);
      }
      // both sentences produce words
      expect(res.words.some((w) => w.start < 100 + 5)).toBe(true);
      expect(res.words.some((w) => w.start > 100 + 6)).toBe(true);
      // silence decodes to nothing; the same child serves the next request
      const silent = await engine.transcribe(new Float32Array(16000));
      expect(silent.words).toEqual([]);
      expect(engine.processStats!.spawns).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('rejects missing, garbage, truncated and metadata-less models before sherpa sees them', async () => {
    const bad = join(work, 'bad-asr');
    await writeStandinTdnn(bad);
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      ['garbage', () => writeGarbageOnnx(join(bad, 'model.onnx')), /not an ONNX model|truncated|damaged|malformed/],
      ['truncated', () => writeTruncatedCopy(join(work, 'tdnn', 'model.onnx'), join(bad, 'model.onnx')), /truncated|end of file/],
      ['no metadata', () => writeStandinTdnn(bad, { withMetadata: false }), /lacks the ONNX metadata sherpa-onnx needs \(vocab_size\)/],
      ['missing', () => rm(join(bad, 'model.onnx')), /is missing/],
    ];
    for (const [, make, message] of cases) {
      await make();
      const engine = new SherpaAsrEngine(tdnnModel(bad, 'bad-tdnn'));
      await expectSpeechError(engine.transcribe(pcm), 'model_invalid', message);
      await engine.close();
    }
  });

  it('survives sherpa exiting the process on a bad model; the next request with a good model works', async () => {
    const dir = join(work, 'exit-asr');
    await writeStandinTdnn(dir, { withMetadata: false });
    const engine = new SherpaAsrEngine(tdnnModel(dir, 'no-metadata-tdnn'), { verifyFiles: false });
    const err = await expectSpeechError(engine.transcribe(pcm), 'engine', /no-metadata-tdnn: the speech engine process exited with code 255 while loading the model/);
    expect(err.message).toMatch(/vocab_size/); // sherpa's own complaint is passed on
    // Fix the model in place: the engine respawns and answers.
    await writeStandinTdnn(dir);
    const t0 = performance.now();
    const res = await engine.transcribe(pcm);
    timings.asrRecoveryAfterExit = performance.now() - t0;
    expect(res.words.length).toBeGreaterThan(3);
    expect(engine.processStats!.crashes).toBe(1);
    await engine.close();
  });

  it('times out a request, kills the child and serves the next one from a fresh child', async () => {
    const proc = new SherpaProcess({ type: 'asr', config: buildRecognizerConfig(tdnnModel(join(work, 'tdnn'))) }, { label: 'slow' });
    try {
      await proc.warmUp();
      const firstPid = proc.pid;
      await expectSpeechError(proc.request({ op: 'transcribe', samples: new Float32Array(16000 * 120).fill(0.1) }, 1), 'engine', /slow: recognising speech took longer than/);
      const raw = await proc.request<{ text: string }>({ op: 'transcribe', samples: pcm }, 60_000);
      expect(raw.text).toContain('speech');
      expect(proc.pid).not.toBe(firstPid);
      expect(proc.stats.spawns).toBe(2);
    } finally {
      await proc.close();
    }
  });
});

describe('SherpaDiarizationEngine (OfflineSpeakerDiarization in a child process)', () => {
  it('diarizes a file with pyannote-shaped segmentation and speaker embeddings', async () => {
    const engine = new SherpaDiarizationEngine({ segmentationModel: seg, embeddingModel: emb });
    try {
      timings.diarizationLoad = (await engine.load()).loadMs;
      const t0 = performance.now();
      const segs = await engine.diarizeFile(conversation);
      timings.diarize11s = performance.now() - t0;
      expect(segs.length).toBeGreaterThanOrEqual(2);
      const { firstEnd, secondStart, total } = speechBounds();
      expect(segs[0].start).toBeGreaterThan(0.8);
      expect(segs[0].start).toBeLessThan(1.6);
      expect(segs.some((s) => s.start < firstEnd && s.end > 2)).toBe(true);
      expect(segs.some((s) => s.end > secondStart + 1)).toBe(true);
      for (const s of segs) {
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.end).toBeLessThanOrEqual(total + 0.01);
        expect(s.speaker).toBeGreaterThanOrEqual(0);
      }
      // a given speaker count goes to the clustering
      const one = await engine.diarizeFile(conversation, { numSpeakers: 1 });
      expect(new Set(one.map((s) => s.speaker))).toEqual(new Set([0]));
      await expectSpeechError(engine.diarizeFile(join(work, 'nope.wav')), 'bad_input', /cannot read/);
    } finally {
      await engine.close();
    }
  });

  it('turns SIGSEGV (embedding without metadata) and abort (garbage model) into errors, then recovers', async () => {
    const noMeta = await writeStandinEmbedding(join(work, 'emb-nometa.onnx'), { withMetadata: false });
    // Checked first: refused without starting sherpa.
    const checked = new SherpaDiarizationEngine({ segmentationModel: seg, embeddingModel: noMeta });
    await expectSpeechError(checked.diarizeFile(conversation), 'model_invalid', /lacks the ONNX metadata/);

    const target = join(work, 'emb-swap.onnx');
    await copyFile(noMeta, target);
    const engine = new SherpaDiarizationEngine({ id: 'crashy', segmentationModel: seg, embeddingModel: target }, { verifyFiles: false });
    // sherpa builds the embedding extractor lazily, so the crash comes with the first file, not at load.
    const segv = await expectSpeechError(
      engine.diarizeFile(conversation),
      'engine',
      /crashy: the speech engine process was killed by SIGSEGV \(segmentation fault\) while (loading the model|diarizing)/,
    );
    expect(segv.message).toMatch(/Unknown model type for speaker embedding extractor/);
    await writeGarbageOnnx(target);
    await expectSpeechError(engine.diarizeFile(conversation), 'engine', /crashy: the speech engine process (was killed by SIGABRT \(abort\)|exited with code \d+) while (loading the model|diarizing)/);
    await copyFile(emb, target);
    const t0 = performance.now();
    const segs = await engine.diarizeFile(conversation);
    timings.diarizationRecoveryAfterCrash = performance.now() - t0;
    expect(segs.length).toBeGreaterThanOrEqual(2);
    expect(engine.processStats!.crashes).toBe(2);
    expect(engine.processStats!.spawns).toBe(3);
    await engine.close();
  });
});
