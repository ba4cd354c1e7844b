// Child-process side: holds one sherpa-onnx object and serves requests from the parent one at a time.
// Anything native that goes wrong here (abort, SIGSEGV, exit) kills only this process.
import { createRequire } from 'node:module';
import { decodePcm } from '../audio/ffmpeg.ts';
import type { DiarizerConfig, LoadSpec, RawSegment, Request, Response } from './protocol.ts';

const require = createRequire(import.meta.url);

interface SherpaStream {
  acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void;
}
interface SherpaModule {
  OfflineRecognizer: new (config: unknown) => {
    createStream(): SherpaStream;
    decode(s: SherpaStream): void;
    getResult(s: SherpaStream): unknown;
    setConfig(config: unknown): void;
  };
  OfflineSpeakerDiarization: new (config: unknown) => {
    process(samples: Float32Array): RawSegment[];
    setConfig(c: { clustering: { numClusters: number; threshold: number } }): void;
  };
}

let sherpa: SherpaModule | null = null;
let spec: LoadSpec | null = null;
let recognizer: InstanceType<SherpaModule['OfflineRecognizer']> | null = null;
let diarizer: InstanceType<SherpaModule['OfflineSpeakerDiarization']> | null = null;
let whisperLanguage: string | undefined;

function send(msg: Response): void {
  process.send?.(msg);
}

async function handle(req: Request): Promise<unknown> {
  if (req.op === 'load') {
    sherpa ??= require('sherpa-onnx-node') as SherpaModule;
    spec = req.spec;
    if (spec.type === 'asr') {
      recognizer = new sherpa.OfflineRecognizer(spec.config);
      const whisper = spec.config.modelConfig.whisper as { language?: string } | undefined;
      whisperLanguage = whisper?.language;
    } else diarizer = new sherpa.OfflineSpeakerDiarization(spec.config);
    return { loaded: true };
  }
  if (req.op === 'transcribe') {
    if (!recognizer || spec?.type !== 'asr') throw new Error('no recogniser loaded');
    const wantLang = req.whisperLanguage;
    if (wantLang !== undefined && wantLang !== whisperLanguage && spec.config.modelConfig.whisper) {
      // Whisper's language is part of the recogniser config, so switch it in place rather than reloading.
      const config = structuredClone(spec.config);
      (config.modelConfig.whisper as { language: string }).language = wantLang;
      recognizer.setConfig(config);
      whisperLanguage = wantLang;
    }
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: req.samples, sampleRate: 16000 });
    recognizer.decode(stream);
    return recognizer.getResult(stream);
  }
  if (req.op === 'diarize') {
    if (!diarizer || spec?.type !== 'diarization') throw new Error('no diarizer loaded');
    const samples = await readAll(req.path);
    const base = spec.config.clustering;
    const run = (clustering: DiarizerConfig['clustering']) => {
      diarizer!.setConfig({ clustering });
      return diarizer!.process(samples);
    };
    if (req.numSpeakers) return run({ numClusters: req.numSpeakers, threshold: base.threshold });
    let segs = run({ numClusters: -1, threshold: req.threshold });
    const count = new Set(segs.map((s) => s.speaker)).size;
    // sherpa only knows "exact count" or "threshold"; enforce user bounds by re-clustering at the bound.
    if (req.maxSpeakers && count > req.maxSpeakers) segs = run({ numClusters: req.maxSpeakers, threshold: req.threshold });
    else if (req.minSpeakers && count < req.minSpeakers && segs.length >= req.minSpeakers)
      segs = run({ numClusters: req.minSpeakers, threshold: req.threshold });
    return segs;
  }
  throw new Error(`unknown request ${(req as { op: string }).op}`);
}

/** Sherpa's diarizer needs the whole signal in one array; collect decoded blocks with amortised growth. */
async function readAll(path: string): Promise<Float32Array> {
  let out = new Float32Array(16000 * 60);
  let n = 0;
  for await (const block of decodePcm(path, { blockSamples: 16000 * 10 })) {
    if (n + block.length > out.length) {
      const bigger = new Float32Array(Math.max(out.length * 2, n + block.length));
      bigger.set(out.subarray(0, n));
      out = bigger;
    }
    out.set(block, n);
    n += block.length;
  }
  return out.subarray(0, n);
}

let chain = Promise.resolve();
process.on('message', (req: Request) => {
  chain = chain.then(async () => {
    const t0 = performance.now();
    try {
      const result = await handle(req);
      send({ id: req.id, ok: true, result, ms: performance.now() - t0 });
    } catch (err) {
      send({ id: req.id, ok: false, error: (err as Error).message, kind: (err as { kind?: string }).kind });
    }
  });
});
process.on('disconnect', () => process.exit(0));
send({ id: 0, ok: true, result: 'ready', ms: 0 });
