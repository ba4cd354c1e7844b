// Engine selection: explicit backends, `auto` with and without installed models, and the reference's env names.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAsrEngine, createDiarizationEngine, createSpeechEngines, createTranslationEngine, speechOptionsFromEnv } from '../src/factory.ts';
import { findBundle } from '../src/models/manifest.ts';
import { pullModel } from '../src/models/pull.ts';
import { packTarBz2, writeStandinEmbedding, writeStandinParakeet, writeStandinSegmentation } from '../src/testing/standin-models.ts';
import { SpeechError } from '../src/types.ts';

let work: string;
let empty: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'speech-factory-'));
  empty = join(work, 'no-models');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<SpeechError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpeechError);
  return err as SpeechError;
}

describe('createAsrEngine', () => {
  it('auto without downloaded models is the basic pocketsphinx engine, with a hint', async () => {
    const { engine, reason } = await createAsrEngine({ transcriptBackend: 'auto', modelsDir: empty });
    expect(engine.id).toBe('pocketsphinx');
    expect(engine.quality).toBe('basic');
    expect(reason).toMatch(/reflector models pull/);
  });

  it('builds the remote clients, which need a URL', async () => {
    const modal = await createAsrEngine({ transcriptBackend: 'modal', transcriptUrl: 'http://gpu:8000', apiKey: 'k' });
    expect(modal.engine.id).toBe('modal');
    expect(modal.engine.languages).toBe('any');
    const openai = await createAsrEngine({ transcriptBackend: 'openai', transcriptUrl: 'https://api.openai.com/v1', transcriptModel: 'whisper-1' });
    expect(openai.engine.id).toBe('openai');
    expect((await failure(createAsrEngine({ transcriptBackend: 'modal' }))).message).toMatch(/needs TRANSCRIPT_URL/);
  });

  it('names the pull command for a catalogue model that is not installed', async () => {
    const err = await failure(createAsrEngine({ transcriptBackend: 'parakeet-tdt-0.6b-v2', modelsDir: empty }));
    expect(err.kind).toBe('model_missing');
    expect(err.message).toMatch(/not installed.*reflector models pull parakeet-tdt-0\.6b-v2/);
  });

  it('refuses an unknown backend, listing the choices', async () => {
    const err = await failure(createAsrEngine({ transcriptBackend: 'kaldi' }));
    expect(err.message).toMatch(/unknown TRANSCRIPT_BACKEND "kaldi": use auto, pocketsphinx, modal, openai or an installed model name/);
  });
});

describe('createDiarizationEngine', () => {
  it('auto without models is classical (basic); none disables it; modal needs a URL', async () => {
    const auto = await createDiarizationEngine({ modelsDir: empty });
    expect(auto.engine?.id).toBe('classical');
    expect(auto.quality).toBe('basic');
    expect((await createDiarizationEngine({ diarizationBackend: 'none' })).engine).toBeNull();
    const modal = await createDiarizationEngine({ diarizationBackend: 'modal', diarizationUrl: 'http://gpu:8000' });
    expect(modal.engine?.id).toBe('modal');
    expect((await failure(createDiarizationEngine({ diarizationBackend: 'modal' }))).message).toMatch(/needs DIARIZATION_URL/);
    expect((await failure(createDiarizationEngine({ diarizationBackend: 'pyannote', modelsDir: empty }))).kind).toBe('model_missing');
  });
});

describe('createTranslationEngine', () => {
  it('auto is passthrough without an LLM and the LLM with one', () => {
    expect(createTranslationEngine({}).engine.id).toBe('passthrough');
    expect(createTranslationEngine({}).quality).toBe('none');
    const llm = createTranslationEngine({ llm: { url: 'http://ollama:11434/v1', model: 'qwen' } });
    expect(llm.engine.id).toBe('llm');
    expect(createTranslationEngine({ translationBackend: 'passthrough', llm: { url: 'http://x', model: 'm' } }).engine.id).toBe('passthrough');
    expect(createTranslationEngine({ translationBackend: 'modal', translateUrl: 'http://gpu:8000' }).engine.id).toBe('modal');
    expect(() => createTranslationEngine({ translationBackend: 'llm' })).toThrow(/needs LLM_URL/);
    expect(() => createTranslationEngine({ translationBackend: 'deepl' })).toThrow(/unknown TRANSLATION_BACKEND "deepl"/);
  });
});

describe('speechOptionsFromEnv', () => {
  it('reads the reference product\'s variable names', () => {
    const opts = speechOptionsFromEnv({
      TRANSCRIPT_BACKEND: 'modal',
      TRANSCRIPT_URL: 'http://gpu:8000',
      TRANSCRIPT_MODAL_API_KEY: 'tk',
      TRANSCRIPT_FILE_TIMEOUT: '900',
      DIARIZATION_BACKEND: 'modal',
      DIARIZATION_URL: 'http://gpu:8000',
      DIARIZATION_MODAL_API_KEY: 'dk',
      TRANSLATION_BACKEND: 'modal',
      TRANSLATE_URL: 'http://gpu:8000',
      TRANSLATION_MODAL_API_KEY: 'xk',
      LLM_URL: 'http://llm/v1',
      LLM_MODEL: 'phi',
      MODELS_DIR: '/models',
    });
    expect(opts).toMatchObject({
      transcriptBackend: 'modal',
      transcriptUrl: 'http://gpu:8000',
      apiKey: 'tk',
      transcriptTimeoutMs: 900_000,
      diarizationBackend: 'modal',
      diarizationApiKey: 'dk',
      translationBackend: 'modal',
      translationApiKey: 'xk',
      translateTimeoutMs: 90_000,
      modelsDir: '/models',
      llm: { url: 'http://llm/v1', model: 'phi', apiKey: undefined },
    });
    expect(speechOptionsFromEnv({})).toMatchObject({ transcriptBackend: 'auto', diarizationBackend: 'auto', translationBackend: 'auto', llm: undefined });
    expect(speechOptionsFromEnv({ DIARIZATION_ENABLED: 'false' }).diarizationBackend).toBe('none');
  });
});

describe('auto with downloaded models', () => {
  let server: Server;
  let mirror: string;
  const served = new Map<string, Buffer>();

  beforeAll(async () => {
    const build = join(work, 'build');
    await writeStandinParakeet(join(build, 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8'));
    served.set(
      '/asr-models/sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8.tar.bz2',
      await readFile(await packTarBz2(build, 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8', join(work, 'p.tar.bz2'))),
    );
    await writeStandinSegmentation(join(build, 'sherpa-onnx-pyannote-segmentation-3-0', 'model.onnx'));
    served.set(
      '/speaker-segmentation-models/sherpa-onnx-pyannote-segmentation-3-0.tar.bz2',
      await readFile(await packTarBz2(build, 'sherpa-onnx-pyannote-segmentation-3-0', join(work, 's.tar.bz2'))),
    );
    served.set('/speaker-recongition-models/wespeaker_en_voxceleb_resnet34_LM.onnx', await readFile(await writeStandinEmbedding(join(build, 'emb.onnx'))));
    server = createServer((req, res) => {
      const body = served.get(new URL(req.url!, 'http://x').pathname);
      if (!body) return res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('picks the installed, verified models and reports them as best', async () => {
    const modelsDir = join(work, 'models');
    for (const name of ['parakeet-tdt-0.6b-v2', 'pyannote-segmentation-3.0', 'wespeaker-resnet34-lm']) {
      await pullModel(findBundle(name)!, { modelsDir, mirror });
    }
    const engines = await createSpeechEngines({ modelsDir });
    try {
      expect(engines.describe.asr).toMatchObject({ id: 'parakeet-tdt-0.6b-v2', quality: 'best' });
      expect(engines.asr.languages).toEqual(['en']);
      expect(engines.describe.diarization.quality).toBe('best');
      expect(engines.diarization?.id).toMatch(/pyannote-segmentation-3\.0\+wespeaker-resnet34-lm/);
      expect(engines.describe.translation).toMatchObject({ id: 'passthrough', quality: 'none' });
      // The same model by name.
      expect((await createAsrEngine({ transcriptBackend: 'parakeet-tdt-0.6b-v2', modelsDir })).engine.id).toBe('parakeet-tdt-0.6b-v2');
    } finally {
      await engines.close();
    }
  });
});
