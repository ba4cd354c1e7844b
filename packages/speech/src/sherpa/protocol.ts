// Messages between the parent and a sherpa child process (IPC with the 'advanced' serializer, so
// Float32Array samples travel as binary, not JSON).

/** Subset of sherpa-onnx's OfflineRecognizer config that we build. */
export interface RecognizerConfig {
  featConfig: { sampleRate: number; featureDim: number };
  modelConfig: Record<string, unknown> & { tokens: string; numThreads: number; debug: number; provider?: string };
  decodingMethod?: string;
}

export interface DiarizerConfig {
  segmentation: { pyannote: { model: string }; numThreads?: number; debug?: number };
  embedding: { model: string; numThreads?: number; debug?: number };
  clustering: { numClusters: number; threshold: number };
  minDurationOn: number;
  minDurationOff: number;
}

export type LoadSpec = { type: 'asr'; config: RecognizerConfig } | { type: 'diarization'; config: DiarizerConfig };

export type Request =
  | { op: 'load'; id: number; spec: LoadSpec }
  | { op: 'transcribe'; id: number; samples: Float32Array; whisperLanguage?: string }
  | {
      op: 'diarize';
      id: number;
      /** Decoded inside the child so the parent never holds the whole recording. */
      path: string;
      numSpeakers?: number;
      minSpeakers?: number;
      maxSpeakers?: number;
      threshold: number;
    };

export interface RawRecognition {
  text: string;
  lang?: string;
  tokens: string[];
  timestamps: number[];
  durations?: number[];
  ys_log_probs?: number[];
}

export interface RawSegment {
  start: number;
  end: number;
  speaker: number;
}

export type Response = { id: number; ok: true; result: unknown; ms: number } | { id: number; ok: false; error: string; kind?: string };
