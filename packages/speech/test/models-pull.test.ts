// Model manager against a local HTTP server serving release-shaped archives built from stand-in models.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MANIFEST,
  SpeechError,
  findBundle,
  listInstalledEngines,
  partialPath,
  pickAsrModel,
  pickDiarizationModels,
  pullModel,
  readLock,
  readOnnxSummary,
  requireModel,
  runModelsCommand,
  verifyBundle,
  type ModelBundle,
} from '../src/index.ts';
import {
  packTarBz2,
  writeGarbageOnnx,
  writeStandinEmbedding,
  writeStandinParakeet,
  writeStandinSegmentation,
  writeStandinTdnn,
  writeTruncatedCopy,
} from '../src/testing/standin-models.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createSherpaAsrEngine, decodePcm } from '../src/index.ts';

let work: string;
let server: Server;
let base: string;
const files = new Map<string, Buffer>();
const rangesSeen: string[] = [];
/** When set, the next request for this path sends only this many bytes and drops the connection. */
let cutNext: { path: string; bytes: number } | null = null;

function sink() {
  let text = '';
  return { stream: new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) }), text: () => text };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'reflector-models-'));
  const build = join(work, 'build');
  // pyannote archive in the release layout, with an extra file that pull should prune.
  const segRoot = join(build, 'sherpa-onnx-pyannote-segmentation-3-0');
  await writeStandinSegmentation(join(segRoot, 'model.onnx'));
  await writeFile(join(segRoot, 'model.int8.onnx'), 'unused');
  await writeFile(join(segRoot, 'LICENSE'), 'MIT');
  files.set('/speaker-segmentation-models/sherpa-onnx-pyannote-segmentation-3-0.tar.bz2', await readFile(await packTarBz2(build, 'sherpa-onnx-pyannote-segmentation-3-0', join(work, 'seg.tar.bz2'))));
  const emb = await writeStandinEmbedding(join(build, 'emb.onnx'));
  files.set('/speaker-recongition-models/wespeaker_en_voxceleb_resnet34_LM.onnx', await readFile(emb));
  // A bigger archive (a padded tdnn bundle) for the interrupted download.
  const tdnnRoot = join(build, 'standin-asr');
  await writeStandinTdnn(tdnnRoot);
  await writeFile(join(tdnnRoot, 'LICENSE'), Buffer.alloc(300_000, 7).toString('base64'));
  files.set('/asr-models/standin-asr.tar.bz2', await readFile(await packTarBz2(build, 'standin-asr', join(work, 'asr.tar.bz2'))));
  // Parakeet-shaped TDT transducer under the real release name.
  await writeStandinParakeet(join(build, 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8'));
  files.set(
    '/asr-models/sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8.tar.bz2',
    await readFile(await packTarBz2(build, 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8', join(work, 'parakeet.tar.bz2'))),
  );
  // A metadata-less embedding model published under a real name: pull must refuse it.
  await mkdir(join(build, 'bad'), { recursive: true });
  files.set('/speaker-recongition-models/3dspeaker_speech_campplus_sv_en_voxceleb_16k.onnx', await readFile(await writeStandinEmbedding(join(build, 'bad', 'e.onnx'), { withMetadata: false })));

  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname.replace(/^\/mirror/, '');
    const body = files.get(path);
    if (!body) return res.writeHead(404).end('not found');
    let start = 0;
    if (req.headers.range) {
      rangesSeen.push(req.headers.range);
      start = Number(/bytes=(\d+)-/.exec(req.headers.range)![1]);
      if (start >= body.length) return res.writeHead(416).end();
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else res.writeHead(200, { 'content-length': body.length });
    if (cutNext && cutNext.path === path) {
      const n = cutNext.bytes;
      cutNext = null;
      res.write(body.subarray(start, start + n), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}/mirror/`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
});

const tdnnBundle = (sha256: string | null): ModelBundle => ({
  name: 'standin-asr',
  title: 'stand-in',
  kind: 'asr',
  family: 'tdnn',
  url: 'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models/standin-asr.tar.bz2',
  archive: 'tar.bz2',
  approxBytes: 1000,
  sha256,
  licence: 'MIT',
  licenceUrl: 'https://example.invalid',
  languages: ['en'],
  quality: 'standard',
  files: [
    { role: 'model', path: 'model.onnx', onnx: 'tdnn' },
    { role: 'tokens', path: 'tokens.txt' },
  ],
});

describe('models CLI', () => {
  it('lists the catalogue with install state, sizes and licences', async () => {
    const dir = join(work, 'list');
    const out = sink();
    expect(await runModelsCommand(['list', '--dir', dir], { stdout: out.stream })).toBe(0);
    expect(out.text()).toMatch(/parakeet-tdt-0\.6b-v2\s+asr\s+-\s+~\d+ MB\s+CC-BY-4\.0\s+en/);
    expect(out.text()).toContain('whisper-large-v3');
    const json = sink();
    await runModelsCommand(['list', '--json', '--dir', dir], { stdout: json.stream });
    const parsed = JSON.parse(json.text()) as { models: { name: string; installed: boolean }[] };
    expect(parsed.models.length).toBe(MANIFEST.length);
    expect(parsed.models.every((m) => !m.installed)).toBe(true);
    for (const b of MANIFEST) expect(b.url).toMatch(/^https:\/\/github\.com\/k2-fsa\/sherpa-onnx\/releases\/download\//);
  });

  it('prints help and rejects unknown commands and names', async () => {
    const out = sink();
    const err = sink();
    expect(await runModelsCommand(['--help'], { stdout: out.stream })).toBe(0);
    expect(out.text()).toContain('pull NAME');
    expect(await runModelsCommand(['frobnicate'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await runModelsCommand(['pull', 'no-such-model'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('unknown model "no-such-model"');
  });

  it('pulls a tar.bz2 and a single-file model from a mirror, records hashes, verifies, removes', async () => {
    const dir = join(work, 'cli');
    const out = sink();
    const err = sink();
    expect(await runModelsCommand(['pull', 'pyannote-segmentation-3.0', '--dir', dir, '--mirror', base], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(await runModelsCommand(['pull', 'wespeaker-resnet34-lm', '--dir', dir, '--mirror', base], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(err.text()).toMatch(/pyannote-segmentation-3\.0: .*MB/); // progress on stderr
    expect(out.text()).toContain('recorded in');
    const lock = (await readLock(dir, 'pyannote-segmentation-3.0'))!;
    const archive = files.get('/speaker-segmentation-models/sherpa-onnx-pyannote-segmentation-3-0.tar.bz2')!;
    expect(lock.archiveSha256).toBe(createHash('sha256').update(archive).digest('hex'));
    expect(lock.manifestSha256).toBeNull();
    expect(Object.keys(lock.files)).toEqual(['model.onnx']);
    await expect(stat(join(dir, 'pyannote-segmentation-3.0', 'model.int8.onnx'))).rejects.toThrow(); // pruned
    expect((await readOnnxSummary(join(dir, 'pyannote-segmentation-3.0', 'model.onnx'))).metadata.receptive_field_shift).toBe('270');

    const v = sink();
    expect(await runModelsCommand(['verify', '--dir', dir], { stdout: v.stream })).toBe(0);
    expect(v.text()).toMatch(/pyannote-segmentation-3\.0: ok/);
    expect(v.text()).toMatch(/wespeaker-resnet34-lm: ok/);

    const installed = await listInstalledEngines(dir);
    expect(installed.map((e) => e.name)).toEqual(['pyannote-segmentation-3.0', 'wespeaker-resnet34-lm']);
    expect(pickDiarizationModels(installed)).toEqual({ segmentation: 'pyannote-segmentation-3.0', embedding: 'wespeaker-resnet34-lm' });
    expect(pickAsrModel(installed, 'en')).toBeUndefined();

    // Again without --force: nothing downloaded.
    const again = sink();
    expect(await runModelsCommand(['pull', 'wespeaker-resnet34-lm', '--dir', dir, '--mirror', base], { stdout: again.stream, stderr: err.stream })).toBe(0);
    expect(again.text()).toContain('already installed');

    // One flipped byte is caught by verify, and the model is no longer offered to `auto`.
    const model = join(dir, 'wespeaker-resnet34-lm', 'wespeaker_en_voxceleb_resnet34_LM.onnx');
    const bytes = await readFile(model);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    await writeFile(model, bytes);
    const bad = sink();
    expect(await runModelsCommand(['verify', 'wespeaker-resnet34-lm', '--dir', dir], { stdout: bad.stream })).toBe(1);
    expect(bad.text()).toMatch(/FAILED[\s\S]*corrupted: sha256/);
    expect((await listInstalledEngines(dir)).map((e) => e.name)).toEqual(['pyannote-segmentation-3.0']);
    const err2 = await requireModel(dir, 'wespeaker-resnet34-lm').catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(SpeechError);
    expect((err2 as SpeechError).kind).toBe('model_invalid');

    const r = sink();
    expect(await runModelsCommand(['rm', 'wespeaker-resnet34-lm', '--dir', dir], { stdout: r.stream })).toBe(0);
    expect(r.text()).toContain('removed');
    const missing = await requireModel(dir, 'wespeaker-resnet34-lm').catch((e: unknown) => e);
    expect((missing as SpeechError).kind).toBe('model_missing');
    expect((missing as SpeechError).message).toContain('npx reflector models pull wespeaker-resnet34-lm');
  });

  it('refuses a download whose ONNX file lacks the metadata sherpa needs, installing nothing', async () => {
    const dir = join(work, 'nometa');
    const err = sink();
    expect(await runModelsCommand(['pull', '3dspeaker-campplus-en', '--dir', dir, '--mirror', base], { stdout: sink().stream, stderr: err.stream })).toBe(1);
    expect(err.text()).toMatch(/lacks the ONNX metadata sherpa-onnx needs \(framework, output_dim, sample_rate, normalize_samples\)/);
    expect(await readLock(dir, '3dspeaker-campplus-en')).toBeNull();
  });
});

describe('Parakeet through the catalogue', () => {
  it('pulls, is picked by auto for English, and transcribes via sherpa nemo_transducer (TDT) with word durations', async () => {
    const dir = join(work, 'parakeet');
    expect(await runModelsCommand(['pull', 'parakeet-tdt-0.6b-v2', '--dir', dir, '--mirror', base], { stdout: sink().stream, stderr: sink().stream })).toBe(0);
    const installed = await listInstalledEngines(dir);
    expect(pickAsrModel(installed, 'en')?.name).toBe('parakeet-tdt-0.6b-v2');
    expect(pickAsrModel(installed, 'de')).toBeUndefined();

    const wav = join(work, 'hello.wav');
    await promisify(execFile)('bash', ['-c', `echo "Good morning everyone, let us start the meeting." | text2wave -eval '(voice_cmu_us_slt_arctic_hts)' -o ${wav}`]);
    const blocks: Float32Array[] = [];
    for await (const b of decodePcm(wav)) blocks.push(b);
    const pcm = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
    blocks.reduce((o, b) => (pcm.set(b, o), o + b.length), 0);

    const engine = await createSherpaAsrEngine('parakeet-tdt-0.6b-v2', { modelsDir: dir });
    try {
      const { loadMs } = await engine.load();
      const t0 = performance.now();
      const res = await engine.transcribe(pcm, { language: 'en' });
      console.log(`parakeet stand-in: load ${loadMs.toFixed(0)} ms, decode ${(performance.now() - t0).toFixed(0)} ms for ${(pcm.length / 16000).toFixed(1)} s`);
      expect(res.wordTiming).toBe('model');
      expect(res.words.length).toBeGreaterThan(2);
      for (const w of res.words) {
        expect(w.text.trim()).toBe('speech');
        expect(w.end - w.start).toBeCloseTo(0.4, 2); // TDT duration head: 40 frames of 10 ms
      }
      await expect(engine.transcribe(pcm, { language: 'ja' })).rejects.toThrow(/does not support language "ja"/);
    } finally {
      await engine.close();
    }
  });
});

describe('pull', () => {
  it('resumes an interrupted download with a Range request and ends with the right hash', async () => {
    const dir = join(work, 'resume');
    const body = files.get('/asr-models/standin-asr.tar.bz2')!;
    const want = createHash('sha256').update(body).digest('hex');
    cutNext = { path: '/asr-models/standin-asr.tar.bz2', bytes: Math.floor(body.length / 3) };
    const first = await pullModel(tdnnBundle(want), { modelsDir: dir, mirror: base }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SpeechError);
    expect((first as Error).message).toMatch(/interrupted|ended early/);
    const partialSize = (await stat(partialPath(dir, 'standin-asr'))).size;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThan(body.length);
    expect(await readLock(dir, 'standin-asr')).toBeNull();

    rangesSeen.length = 0;
    const res = await pullModel(tdnnBundle(want), { modelsDir: dir, mirror: base });
    expect(rangesSeen).toEqual([`bytes=${partialSize}-`]);
    expect(res.resumedFrom).toBe(partialSize);
    expect(res.lock.archiveSha256).toBe(want);
    await expect(stat(partialPath(dir, 'standin-asr'))).rejects.toThrow();
    const report = await verifyBundle(dir, tdnnBundle(want), { hash: 'always' });
    expect(report).toMatchObject({ ok: true, pinnedBy: 'manifest' });
  });

  it('rejects a hash mismatch against a pinned sha256 and installs nothing', async () => {
    const dir = join(work, 'mismatch');
    const err = await pullModel(tdnnBundle('0'.repeat(64)), { modelsDir: dir, mirror: base }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).kind).toBe('model_invalid');
    expect((err as Error).message).toMatch(/sha256 [0-9a-f]{64}, expected 0{64}/);
    expect(await readLock(dir, 'standin-asr')).toBeNull();
    await expect(stat(partialPath(dir, 'standin-asr'))).rejects.toThrow();
  });

  it('reports an unreachable server as unavailable', async () => {
    const err = await pullModel(findBundle('whisper-tiny')!, { modelsDir: join(work, 'down'), mirror: 'http://127.0.0.1:9/' }).catch((e: unknown) => e);
    expect((err as SpeechError).kind).toBe('unavailable');
    expect((err as Error).message).toContain('MODELS_MIRROR_URL');
  });
});

describe('ONNX checks', () => {
  it('tells complete, truncated and garbage files apart', async () => {
    const dir = join(work, 'onnx');
    const good = await writeStandinSegmentation(join(dir, 'seg.onnx'));
    const s = await readOnnxSummary(good);
    expect(s.inputs).toEqual(['x']);
    expect(s.outputs).toEqual(['y']);
    await expect(readOnnxSummary(await writeTruncatedCopy(good, join(dir, 'cut.onnx')))).rejects.toThrow(/truncated|end of file/);
    await expect(readOnnxSummary(await writeGarbageOnnx(join(dir, 'junk.onnx')))).rejects.toThrow(/not an ONNX model|truncated|damaged|malformed/);
  });
});
