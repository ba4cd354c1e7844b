// Pinned catalogue of downloadable model bundles. URLs point at the k2-fsa/sherpa-onnx GitHub releases,
// which publish ONNX exports of the upstream models in the layout sherpa-onnx loads.
//
// sha256: upstream does not publish checksums next to these release assets and this catalogue was written on
// a machine without internet access, so most entries start with `sha256: null`. `reflector models pull` then
// records the sha256 of the archive it actually downloaded (and of every extracted file) in
// MODELS_DIR/<name>/manifest.lock.json ("pin on first verified download"); `reflector models verify` checks
// the files against that lock ever after, and against the value here once it is filled in. To pin an entry,
// copy `archiveSha256` from a lock file produced by a download you trust into the entry below.

export type ModelKind = 'asr' | 'segmentation' | 'embedding';
export type AsrFamily = 'nemo_transducer' | 'whisper' | 'moonshine' | 'tdnn';

/** Which metadata_props sherpa-onnx reads from a file; a missing key makes sherpa exit or crash. */
export type OnnxCheck = 'nemo_encoder' | 'whisper_encoder' | 'tdnn' | 'pyannote' | 'speaker_embedding' | 'plain';

export const REQUIRED_METADATA: Record<OnnxCheck, readonly string[]> = {
  nemo_encoder: ['vocab_size', 'subsampling_factor', 'normalize_type', 'pred_rnn_layers', 'pred_hidden'],
  whisper_encoder: ['n_text_layer', 'n_text_ctx', 'n_text_state', 'n_vocab', 'sot', 'eot', 'is_multilingual'],
  tdnn: ['vocab_size'],
  pyannote: ['sample_rate', 'window_size', 'receptive_field_size', 'receptive_field_shift', 'num_speakers', 'powerset_max_classes', 'num_classes'],
  speaker_embedding: ['framework', 'output_dim', 'sample_rate', 'normalize_samples'],
  plain: [],
};

export type FileRole = 'encoder' | 'decoder' | 'joiner' | 'tokens' | 'preprocessor' | 'uncachedDecoder' | 'cachedDecoder' | 'model';

export interface ModelFile {
  role: FileRole;
  /** Path inside the installed bundle directory. */
  path: string;
  /** Present for ONNX files: what to check before sherpa sees the file. */
  onnx?: OnnxCheck;
}

export interface ModelBundle {
  name: string;
  title: string;
  kind: ModelKind;
  family?: AsrFamily;
  url: string;
  /** 'tar.bz2': extracted with the system tar; 'file': a single file saved under files[0].path. */
  archive: 'tar.bz2' | 'file';
  /** Approximate download size in bytes (for the listing and the disk-space hint; not a check). */
  approxBytes: number;
  /** sha256 of the downloaded archive, or null until pinned (see the note at the top of this file). */
  sha256: string | null;
  licence: string;
  licenceUrl: string;
  /** ISO 639-1 codes, or 'any' for Whisper's ~99 languages. */
  languages: readonly string[] | 'any';
  quality: 'standard' | 'best';
  files: readonly ModelFile[];
}

const RELEASES = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/';
const MB = 1024 * 1024;

/** The 25 European languages of Parakeet TDT 0.6B v3. */
export const PARAKEET_V3_LANGUAGES = [
  'bg', 'hr', 'cs', 'da', 'nl', 'en', 'et', 'fi', 'fr', 'de', 'el', 'hu', 'it',
  'lv', 'lt', 'mt', 'pl', 'pt', 'ro', 'sk', 'sl', 'es', 'sv', 'ru', 'uk',
] as const;

function parakeet(version: 'v2' | 'v3', approxMb: number): ModelBundle {
  return {
    name: `parakeet-tdt-0.6b-${version}`,
    title: `NVIDIA Parakeet TDT 0.6B ${version} (int8) — ${version === 'v2' ? 'English' : '25 European languages'}, punctuation, word times`,
    kind: 'asr',
    family: 'nemo_transducer',
    url: `${RELEASES}asr-models/sherpa-onnx-nemo-parakeet-tdt-0.6b-${version}-int8.tar.bz2`,
    archive: 'tar.bz2',
    approxBytes: approxMb * MB,
    sha256: null,
    licence: 'CC-BY-4.0',
    licenceUrl: `https://huggingface.co/nvidia/parakeet-tdt-0.6b-${version}`,
    languages: version === 'v2' ? ['en'] : PARAKEET_V3_LANGUAGES,
    quality: 'best',
    files: [
      { role: 'encoder', path: 'encoder.int8.onnx', onnx: 'nemo_encoder' },
      { role: 'decoder', path: 'decoder.int8.onnx', onnx: 'plain' },
      { role: 'joiner', path: 'joiner.int8.onnx', onnx: 'plain' },
      { role: 'tokens', path: 'tokens.txt' },
    ],
  };
}

function whisper(size: string, approxMb: number, quality: 'standard' | 'best'): ModelBundle {
  return {
    name: `whisper-${size}`,
    title: `OpenAI Whisper ${size} (int8) — multilingual`,
    kind: 'asr',
    family: 'whisper',
    url: `${RELEASES}asr-models/sherpa-onnx-whisper-${size}.tar.bz2`,
    archive: 'tar.bz2',
    approxBytes: approxMb * MB,
    sha256: null,
    licence: 'MIT',
    licenceUrl: 'https://github.com/openai/whisper/blob/main/LICENSE',
    languages: 'any',
    quality,
    files: [
      { role: 'encoder', path: `${size}-encoder.int8.onnx`, onnx: 'whisper_encoder' },
      { role: 'decoder', path: `${size}-decoder.int8.onnx`, onnx: 'plain' },
      { role: 'tokens', path: `${size}-tokens.txt` },
    ],
  };
}

function moonshine(size: 'tiny' | 'base', approxMb: number): ModelBundle {
  return {
    name: `moonshine-${size}-en`,
    title: `Useful Sensors Moonshine ${size} (int8) — English, small and fast`,
    kind: 'asr',
    family: 'moonshine',
    url: `${RELEASES}asr-models/sherpa-onnx-moonshine-${size}-en-int8.tar.bz2`,
    archive: 'tar.bz2',
    approxBytes: approxMb * MB,
    sha256: null,
    licence: 'MIT',
    licenceUrl: 'https://github.com/usefulsensors/moonshine/blob/main/LICENSE',
    languages: ['en'],
    quality: 'standard',
    files: [
      { role: 'preprocessor', path: 'preprocess.onnx', onnx: 'plain' },
      { role: 'encoder', path: 'encode.int8.onnx', onnx: 'plain' },
      { role: 'uncachedDecoder', path: 'uncached_decode.int8.onnx', onnx: 'plain' },
      { role: 'cachedDecoder', path: 'cached_decode.int8.onnx', onnx: 'plain' },
      { role: 'tokens', path: 'tokens.txt' },
    ],
  };
}

function embedding(name: string, file: string, title: string, licence: string, licenceUrl: string, approxMb: number): ModelBundle {
  return {
    name,
    title,
    kind: 'embedding',
    url: `${RELEASES}speaker-recongition-models/${file}`, // "recongition" is upstream's spelling of the release tag
    archive: 'file',
    approxBytes: approxMb * MB,
    sha256: null,
    licence,
    licenceUrl,
    languages: 'any',
    quality: 'standard',
    files: [{ role: 'model', path: file, onnx: 'speaker_embedding' }],
  };
}

/** Sizes are approximate download sizes; the Whisper archives also carry fp32 weights, which pull discards. */
export const MANIFEST: readonly ModelBundle[] = [
  parakeet('v2', 470),
  parakeet('v3', 480),
  whisper('tiny', 110, 'standard'),
  whisper('base', 200, 'standard'),
  whisper('small', 610, 'standard'),
  whisper('medium', 1800, 'standard'),
  whisper('large-v3', 4000, 'best'),
  whisper('turbo', 2300, 'best'),
  moonshine('tiny', 100),
  moonshine('base', 250),
  {
    name: 'pyannote-segmentation-3.0',
    title: 'pyannote speaker segmentation 3.0 — who speaks when (used with a speaker-embedding model)',
    kind: 'segmentation',
    url: `${RELEASES}speaker-segmentation-models/sherpa-onnx-pyannote-segmentation-3-0.tar.bz2`,
    archive: 'tar.bz2',
    approxBytes: 7 * MB,
    sha256: null,
    licence: 'MIT',
    licenceUrl: 'https://huggingface.co/pyannote/segmentation-3.0',
    languages: 'any',
    quality: 'best',
    files: [{ role: 'model', path: 'model.onnx', onnx: 'pyannote' }],
  },
  embedding(
    'wespeaker-resnet34-lm',
    'wespeaker_en_voxceleb_resnet34_LM.onnx',
    'WeSpeaker ResNet34-LM speaker embeddings (VoxCeleb)',
    'CC-BY-4.0',
    'https://github.com/wenet-e2e/wespeaker/blob/master/docs/pretrained.md',
    27,
  ),
  embedding(
    '3dspeaker-campplus-en',
    '3dspeaker_speech_campplus_sv_en_voxceleb_16k.onnx',
    '3D-Speaker CAM++ speaker embeddings (VoxCeleb, English)',
    'Apache-2.0',
    'https://github.com/modelscope/3D-Speaker/blob/main/LICENSE',
    28,
  ),
  embedding(
    '3dspeaker-eres2net-base-zh',
    '3dspeaker_speech_eres2net_base_sv_zh-cn_3dspeaker_16k.onnx',
    '3D-Speaker ERes2Net base speaker embeddings (Mandarin)',
    'Apache-2.0',
    'https://github.com/modelscope/3D-Speaker/blob/main/LICENSE',
    38,
  ),
];

export function findBundle(name: string, manifest: readonly ModelBundle[] = MANIFEST): ModelBundle | undefined {
  return manifest.find((b) => b.name === name);
}

/** Operators without GitHub access can mirror the release assets: the URL prefix is swapped for the mirror. */
export function resolveUrl(bundle: ModelBundle, mirror = process.env.MODELS_MIRROR_URL): string {
  if (!mirror || !bundle.url.startsWith(RELEASES)) return bundle.url;
  return mirror.replace(/\/?$/, '/') + bundle.url.slice(RELEASES.length);
}
