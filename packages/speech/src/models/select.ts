// What the `auto` engine choice can use: installed models that pass verification, best first.
import { MANIFEST, PARAKEET_V3_LANGUAGES, type ModelBundle } from './manifest.ts';
import { readLock, verifyBundle } from './store.ts';

export interface InstalledEngine {
  name: string;
  kind: ModelBundle['kind'];
  family?: ModelBundle['family'];
  languages: ModelBundle['languages'];
  quality: ModelBundle['quality'];
}

/** ASR preference: Parakeet (word times, punctuation) over Whisper (largest first) over Moonshine. */
const ASR_ORDER = [
  'parakeet-tdt-0.6b-v2',
  'parakeet-tdt-0.6b-v3',
  'whisper-large-v3',
  'whisper-turbo',
  'whisper-medium',
  'whisper-small',
  'whisper-base',
  'whisper-tiny',
  'moonshine-base-en',
  'moonshine-tiny-en',
];
const EMBEDDING_ORDER = ['wespeaker-resnet34-lm', '3dspeaker-campplus-en', '3dspeaker-eres2net-base-zh'];

function rank(b: ModelBundle): number {
  const order = b.kind === 'asr' ? ASR_ORDER : b.kind === 'embedding' ? EMBEDDING_ORDER : [b.name];
  const i = order.indexOf(b.name);
  return i < 0 ? order.length : i;
}

/**
 * Installed models whose files pass the structural checks and the recorded hashes (re-hashing only files
 * changed since the last check), ASR first in preference order, then segmentation, then embeddings.
 */
export async function listInstalledEngines(modelsDir: string, manifest: readonly ModelBundle[] = MANIFEST): Promise<InstalledEngine[]> {
  const out: { b: ModelBundle }[] = [];
  for (const b of manifest) {
    if (!(await readLock(modelsDir, b.name))) continue;
    const report = await verifyBundle(modelsDir, b, { hash: 'if-changed' });
    if (report.ok) out.push({ b });
  }
  const kindOrder = { asr: 0, segmentation: 1, embedding: 2 } as const;
  out.sort((x, y) => kindOrder[x.b.kind] - kindOrder[y.b.kind] || rank(x.b) - rank(y.b));
  return out.map(({ b }) => ({ name: b.name, kind: b.kind, family: b.family, languages: b.languages, quality: b.quality }));
}

/**
 * The best installed recogniser for a language: Parakeet v2 for English, v3 for its 25 European languages,
 * Whisper for the rest (and for 'auto', where detection is needed) — or undefined when nothing fits.
 */
export function pickAsrModel(installed: readonly InstalledEngine[], language?: string): InstalledEngine | undefined {
  const asr = installed.filter((e) => e.kind === 'asr');
  const lang = language && language !== 'auto' ? language : undefined;
  const fits = (e: InstalledEngine) => (lang ? e.languages === 'any' || e.languages.includes(lang) : e.languages === 'any');
  if (lang === 'en') return asr.find(fits);
  if (lang && (PARAKEET_V3_LANGUAGES as readonly string[]).includes(lang)) return asr.find((e) => e.name === 'parakeet-tdt-0.6b-v3') ?? asr.find(fits);
  return asr.find((e) => e.family === 'whisper' && fits(e)) ?? asr.find(fits);
}

/** Segmentation + embedding pair for neural diarization, when both are installed. */
export function pickDiarizationModels(installed: readonly InstalledEngine[]): { segmentation: string; embedding: string } | undefined {
  const seg = installed.find((e) => e.kind === 'segmentation');
  const emb = installed.find((e) => e.kind === 'embedding');
  return seg && emb ? { segmentation: seg.name, embedding: emb.name } : undefined;
}
