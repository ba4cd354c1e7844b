// DiarizationEngine on sherpa-onnx's OfflineSpeakerDiarization: pyannote segmentation-3.0 finds who speaks
// when inside 10 s windows, a speaker-embedding model links the windows, and clustering assigns speakers.
import { access } from 'node:fs/promises';
import { SpeechError, type DiarizationEngine, type DiarizeOptions, type SpeakerSegment } from '../types.ts';
import { MANIFEST } from '../models/manifest.ts';
import { checkOnnxFile, defaultModelsDir, readLock, requireModel } from '../models/store.ts';
import { LazySherpaProcess, SherpaProcess } from './child-process.ts';
import type { DiarizerConfig, RawSegment } from './protocol.ts';
import type { SherpaEngineOptions } from './asr.ts';

export interface SherpaDiarizationModels {
  id?: string;
  segmentationModel: string;
  embeddingModel: string;
}

export interface SherpaDiarizationOptions extends SherpaEngineOptions {
  /** Cosine-distance threshold when the speaker count is not given (sherpa's default is 0.5). */
  threshold?: number;
  minDurationOn?: number;
  minDurationOff?: number;
}

export class SherpaDiarizationEngine implements DiarizationEngine {
  readonly id: string;
  private readonly child = new LazySherpaProcess(() => this.startChild());

  constructor(
    private readonly models: SherpaDiarizationModels,
    private readonly opts: SherpaDiarizationOptions = {},
  ) {
    this.id = models.id ?? 'sherpa-pyannote';
  }

  load(): Promise<{ loadMs: number }> {
    return this.child.load();
  }

  get processStats() {
    return this.child.stats;
  }

  private async startChild(): Promise<SherpaProcess> {
    if (this.opts.verifyFiles !== false) {
      const problems = (
        await Promise.all([checkOnnxFile(this.models.segmentationModel, 'pyannote'), checkOnnxFile(this.models.embeddingModel, 'speaker_embedding')])
      ).filter((p): p is string => !!p);
      if (problems.length) throw new SpeechError(`${this.id}: model files are not usable: ${problems.join('; ')}`, 'model_invalid');
    }
    const threads = this.opts.numThreads ?? 2;
    const config: DiarizerConfig = {
      segmentation: { pyannote: { model: this.models.segmentationModel }, numThreads: threads, debug: 0 },
      embedding: { model: this.models.embeddingModel, numThreads: threads, debug: 0 },
      clustering: { numClusters: -1, threshold: this.opts.threshold ?? 0.5 },
      minDurationOn: this.opts.minDurationOn ?? 0.3,
      minDurationOff: this.opts.minDurationOff ?? 0.5,
    };
    return new SherpaProcess({ type: 'diarization', config }, { label: this.id, timeoutMs: this.opts.timeoutMs ?? 3_600_000 });
  }

  async diarizeFile(path: string, opts: DiarizeOptions = {}): Promise<SpeakerSegment[]> {
    if (opts.signal?.aborted) throw new SpeechError('diarization aborted', 'engine');
    await access(path).catch(() => {
      throw new SpeechError(`cannot read ${path}`, 'bad_input');
    });
    for (const [k, v] of Object.entries({ numSpeakers: opts.numSpeakers, minSpeakers: opts.minSpeakers, maxSpeakers: opts.maxSpeakers })) {
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new SpeechError(`${k} must be a positive integer`, 'bad_input');
    }
    const proc = await this.child.get();
    const raw = await proc.request<RawSegment[]>({
      op: 'diarize',
      path,
      numSpeakers: opts.numSpeakers,
      minSpeakers: opts.minSpeakers,
      maxSpeakers: opts.maxSpeakers,
      threshold: this.opts.threshold ?? 0.5,
    });
    return renumber(raw);
  }

  close(): Promise<void> {
    return this.child.close();
  }
}

/** Speakers numbered 0,1,2… in order of first appearance, segments sorted by start. */
function renumber(raw: RawSegment[]): SpeakerSegment[] {
  const sorted = [...raw].sort((a, b) => a.start - b.start);
  const map = new Map<number, number>();
  return sorted.map((s) => {
    if (!map.has(s.speaker)) map.set(s.speaker, map.size);
    return { start: Math.round(s.start * 1000) / 1000, end: Math.round(s.end * 1000) / 1000, speaker: map.get(s.speaker)! };
  });
}

/** Opens installed catalogue models (defaults: pyannote-segmentation-3.0 + the first installed embedding). */
export async function createSherpaDiarizationEngine(
  opts: SherpaDiarizationOptions & { modelsDir?: string; segmentation?: string; embedding?: string } = {},
): Promise<SherpaDiarizationEngine> {
  const modelsDir = opts.modelsDir ?? defaultModelsDir();
  const seg = await requireModel(modelsDir, opts.segmentation ?? 'pyannote-segmentation-3.0');
  const embeddingName = opts.embedding ?? (await firstInstalledEmbedding(modelsDir));
  const emb = await requireModel(modelsDir, embeddingName);
  return new SherpaDiarizationEngine(
    { id: `sherpa-${seg.bundle.name}+${emb.bundle.name}`, segmentationModel: seg.paths.model!, embeddingModel: emb.paths.model! },
    opts,
  );
}

async function firstInstalledEmbedding(modelsDir: string): Promise<string> {
  for (const b of MANIFEST) if (b.kind === 'embedding' && (await readLock(modelsDir, b.name))) return b.name;
  return 'wespeaker-resnet34-lm'; // requireModel then reports it missing with the pull command
}
