// Installed models on disk: MODELS_DIR/<name>/ holds the bundle's files plus manifest.lock.json, which
// records what pull actually downloaded (see manifest.ts for why hashes are pinned on first download).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat, writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SpeechError } from '../types.ts';
import { MANIFEST, REQUIRED_METADATA, findBundle, type ModelBundle, type ModelFile, type OnnxCheck } from './manifest.ts';
import { OnnxFormatError, readOnnxSummary } from './onnx-metadata.ts';

export const LOCK_FILE = 'manifest.lock.json';

export interface LockedFile {
  bytes: number;
  sha256: string;
  /** mtime seen when the hash was last computed, so later loads can skip re-hashing unchanged files. */
  hashedMtimeMs: number;
}

export interface ModelLock {
  name: string;
  url: string;
  downloadedAt: string;
  archiveSha256: string;
  archiveBytes: number;
  /** Manifest value at download time; null means "pinned on this download". */
  manifestSha256: string | null;
  files: Record<string, LockedFile>;
}

export function defaultModelsDir(): string {
  return resolve(process.env.MODELS_DIR ?? join(process.env.DATA_DIR ?? 'data', 'models'));
}

export function bundleDir(modelsDir: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new SpeechError(`invalid model name "${name}"`, 'bad_input');
  return join(modelsDir, name);
}

export async function readLock(modelsDir: string, name: string): Promise<ModelLock | null> {
  try {
    return JSON.parse(await readFile(join(bundleDir(modelsDir, name), LOCK_FILE), 'utf8')) as ModelLock;
  } catch {
    return null;
  }
}

export async function writeLock(dir: string, lock: ModelLock): Promise<void> {
  const tmp = join(dir, `${LOCK_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(lock, null, 2) + '\n');
  await rename(tmp, join(dir, LOCK_FILE));
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function pullHint(name: string): string {
  return `npx reflector models pull ${name}`;
}

/** Checks one ONNX file the way sherpa will read it: complete protobuf, and the metadata keys it requires. */
export async function checkOnnxFile(path: string, check: OnnxCheck): Promise<string | null> {
  try {
    const { metadata } = await readOnnxSummary(path);
    const missing = REQUIRED_METADATA[check].filter((k) => !(k in metadata));
    if (missing.length) return `${path} lacks the ONNX metadata sherpa-onnx needs (${missing.join(', ')})`;
    return null;
  } catch (err) {
    if (err instanceof OnnxFormatError) return err.message;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${path} is missing`;
    return `${path}: ${(err as Error).message}`;
  }
}

async function checkTokens(path: string, family: string | undefined): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return `${path} is missing`;
  }
  const lines = text.split('\n').filter((l) => l.trim());
  if (!lines.length) return `${path} is empty`;
  // NeMo transducers exit the process unless the blank symbol is the last token.
  if (family === 'nemo_transducer' && !/^<blk>\s/.test(lines[lines.length - 1] + ' ')) return `${path}: <blk> must be the last token`;
  return null;
}

/**
 * Structural checks that are cheap enough for every model load: files exist, are non-empty, ONNX files parse
 * and carry the metadata sherpa needs, token lists look sane.
 */
export async function checkModelFiles(dir: string, files: readonly ModelFile[], family?: string): Promise<string[]> {
  const problems: string[] = [];
  for (const f of files) {
    const p = join(dir, f.path);
    let size: number;
    try {
      size = (await stat(p)).size;
    } catch {
      problems.push(`${p} is missing`);
      continue;
    }
    if (!size) {
      problems.push(`${p} is empty`);
      continue;
    }
    const problem = f.onnx ? await checkOnnxFile(p, f.onnx) : f.role === 'tokens' ? await checkTokens(p, family) : null;
    if (problem) problems.push(problem);
  }
  return problems;
}

export interface VerifyReport {
  name: string;
  installed: boolean;
  ok: boolean;
  problems: string[];
  /** 'manifest' when the manifest hash is pinned and matched, 'lock' when only the first-download lock exists. */
  pinnedBy: 'manifest' | 'lock' | null;
}

/**
 * Verifies an installed bundle. hash 'always' re-hashes every file (the `verify` command); 'if-changed'
 * re-hashes only files whose size or mtime moved since the last hash (model loads).
 */
export async function verifyBundle(
  modelsDir: string,
  bundle: ModelBundle,
  opts: { hash?: 'always' | 'if-changed' } = {},
): Promise<VerifyReport> {
  const dir = bundleDir(modelsDir, bundle.name);
  const lock = await readLock(modelsDir, bundle.name);
  const report: VerifyReport = { name: bundle.name, installed: !!lock, ok: false, problems: [], pinnedBy: null };
  if (!lock) {
    report.problems.push(`not installed (run: ${pullHint(bundle.name)})`);
    return report;
  }
  if (bundle.sha256) {
    if (lock.archiveSha256 !== bundle.sha256) {
      report.problems.push(`downloaded archive sha256 ${lock.archiveSha256} differs from the pinned ${bundle.sha256}`);
    } else report.pinnedBy = 'manifest';
  } else report.pinnedBy = 'lock';

  let lockChanged = false;
  for (const f of bundle.files) {
    const p = join(dir, f.path);
    const locked = lock.files[f.path];
    if (!locked) {
      report.problems.push(`${f.path} is not recorded in ${LOCK_FILE}; pull the model again`);
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch {
      report.problems.push(`${p} is missing`);
      continue;
    }
    if (st.size !== locked.bytes) {
      report.problems.push(`${p} is ${st.size} bytes, expected ${locked.bytes}`);
      continue;
    }
    if (opts.hash === 'always' || st.mtimeMs !== locked.hashedMtimeMs) {
      const sum = await sha256File(p);
      if (sum !== locked.sha256) {
        report.problems.push(`${p} is corrupted: sha256 ${sum} differs from the recorded ${locked.sha256}`);
        continue;
      }
      if (st.mtimeMs !== locked.hashedMtimeMs) {
        locked.hashedMtimeMs = st.mtimeMs;
        lockChanged = true;
      }
    }
  }
  report.problems.push(...(await checkModelFiles(dir, bundle.files, bundle.family)));
  if (lockChanged && !report.problems.length) await writeLock(dir, lock).catch(() => {});
  report.ok = report.problems.length === 0;
  return report;
}

export interface InstalledModel {
  bundle: ModelBundle;
  dir: string;
  /** Absolute path of each file by role. */
  paths: Partial<Record<ModelFile['role'], string>>;
}

/**
 * Resolves a bundle for loading. Throws SpeechError 'model_missing' (naming the pull command) when it is
 * not installed and 'model_invalid' when its files fail verification.
 */
export async function requireModel(modelsDir: string, name: string, manifest: readonly ModelBundle[] = MANIFEST): Promise<InstalledModel> {
  const bundle = findBundle(name, manifest);
  if (!bundle) {
    throw new SpeechError(`unknown model "${name}"; known models: ${manifest.map((b) => b.name).join(', ')}`, 'model_missing');
  }
  const report = await verifyBundle(modelsDir, bundle, { hash: 'if-changed' });
  if (!report.installed) {
    throw new SpeechError(`model "${name}" is not installed in ${modelsDir}; install it with: ${pullHint(name)}`, 'model_missing');
  }
  if (!report.ok) {
    throw new SpeechError(
      `model "${name}" failed verification: ${report.problems.join('; ')}. Re-download it with: ${pullHint(name)} --force`,
      'model_invalid',
    );
  }
  const dir = bundleDir(modelsDir, name);
  const paths: InstalledModel['paths'] = {};
  for (const f of bundle.files) paths[f.role] = join(dir, f.path);
  return { bundle, dir, paths };
}

export interface ModelListing {
  name: string;
  kind: ModelBundle['kind'];
  installed: boolean;
  /** Bytes on disk when installed, else the approximate download size. */
  bytes: number;
  licence: string;
  languages: ModelBundle['languages'];
  title: string;
  sha256Pinned: boolean;
}

export async function listModels(modelsDir: string, manifest: readonly ModelBundle[] = MANIFEST): Promise<ModelListing[]> {
  return Promise.all(
    manifest.map(async (b) => {
      const lock = await readLock(modelsDir, b.name);
      const bytes = lock ? Object.values(lock.files).reduce((s, f) => s + f.bytes, 0) : b.approxBytes;
      return {
        name: b.name,
        kind: b.kind,
        installed: !!lock,
        bytes,
        licence: b.licence,
        languages: b.languages,
        title: b.title,
        sha256Pinned: !!b.sha256,
      };
    }),
  );
}

export async function removeModel(modelsDir: string, name: string): Promise<boolean> {
  const dir = bundleDir(modelsDir, name);
  const existed = await stat(dir).then(
    () => true,
    () => false,
  );
  await rm(dir, { recursive: true, force: true });
  await rm(join(modelsDir, `.${name}.partial`), { force: true });
  return existed;
}
