// Downloads a bundle into MODELS_DIR: resumable HTTP download to a .partial file, sha256 of the archive,
// extraction with the system tar into a staging directory, verification, then one rename into place so a
// half-installed model is never visible under its real name.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SpeechError } from '../types.ts';
import { resolveUrl, type ModelBundle } from './manifest.ts';
import { LOCK_FILE, bundleDir, checkModelFiles, readLock, sha256File, writeLock, type ModelLock } from './store.ts';

export interface PullProgress {
  name: string;
  received: number;
  total: number | null;
  resumedFrom: number;
}

export interface PullOptions {
  modelsDir: string;
  /** Replaces the GitHub releases prefix (MODELS_MIRROR_URL by default). */
  mirror?: string;
  /** Re-download even when installed. */
  force?: boolean;
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  name: string;
  dir: string;
  lock: ModelLock;
  alreadyInstalled: boolean;
  resumedFrom: number;
}

export function partialPath(modelsDir: string, name: string): string {
  return join(modelsDir, `.${name}.partial`);
}

export async function pullModel(bundle: ModelBundle, opts: PullOptions): Promise<PullResult> {
  const dir = bundleDir(opts.modelsDir, bundle.name);
  await mkdir(opts.modelsDir, { recursive: true });
  if (!opts.force) {
    const existing = await stat(join(dir, LOCK_FILE)).catch(() => null);
    if (existing) {
      const lock = (await readLock(opts.modelsDir, bundle.name))!;
      return { name: bundle.name, dir, lock, alreadyInstalled: true, resumedFrom: 0 };
    }
  }
  const url = resolveUrl(bundle, opts.mirror);
  const partial = partialPath(opts.modelsDir, bundle.name);
  const { bytes: archiveBytes, sha256: archiveSha256, resumedFrom } = await download(url, partial, bundle.name, opts);

  if (bundle.sha256 && archiveSha256 !== bundle.sha256) {
    await rm(partial, { force: true });
    throw new SpeechError(
      `download of ${bundle.name} from ${url} is corrupt or has been tampered with: sha256 ${archiveSha256}, expected ${bundle.sha256}. Nothing was installed.`,
      'model_invalid',
    );
  }

  const staging = join(opts.modelsDir, `.${bundle.name}.staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    let root = staging;
    if (bundle.archive === 'tar.bz2') {
      await untarBz2(partial, staging);
      root = await bundleRoot(staging);
    } else {
      await rename(partial, join(staging, bundle.files[0].path));
    }
    await pruneUnlisted(root, bundle);
    const problems = await checkModelFiles(root, bundle.files, bundle.family);
    if (problems.length) {
      throw new SpeechError(`downloaded ${bundle.name} is not usable: ${problems.join('; ')}. Nothing was installed.`, 'model_invalid');
    }
    const files: ModelLock['files'] = {};
    for (const f of bundle.files) {
      const p = join(root, f.path);
      const st = await stat(p);
      files[f.path] = { bytes: st.size, sha256: await sha256File(p), hashedMtimeMs: st.mtimeMs };
    }
    const lock: ModelLock = {
      name: bundle.name,
      url,
      downloadedAt: new Date().toISOString(),
      archiveSha256,
      archiveBytes,
      manifestSha256: bundle.sha256,
      files,
    };
    await writeLock(root, lock);
    // Swap in atomically; the old copy (if any) is moved aside first and removed afterwards.
    const old = `${dir}.old-${process.pid}`;
    const hadOld = await stat(dir).then(
      () => true,
      () => false,
    );
    if (hadOld) await rename(dir, old);
    await rename(root, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
    await rm(partial, { force: true });
    return { name: bundle.name, dir, lock, alreadyInstalled: false, resumedFrom };
  } catch (err) {
    // A bad archive must not be resumed into forever: drop it so the next pull starts clean.
    await rm(partial, { force: true });
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function download(
  url: string,
  partial: string,
  name: string,
  opts: PullOptions,
): Promise<{ bytes: number; sha256: string; resumedFrom: number }> {
  const have = (await stat(partial).catch(() => null))?.size ?? 0;
  const headers: Record<string, string> = { 'user-agent': 'reflector-models' };
  if (have > 0) headers.range = `bytes=${have}-`;
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'follow', signal: opts.signal });
  } catch (err) {
    throw new SpeechError(
      `cannot download ${name} from ${url}: ${(err as Error).cause ? String((err as Error & { cause: unknown }).cause) : (err as Error).message}. ` +
        'Check network access, or set MODELS_MIRROR_URL to a mirror of the sherpa-onnx release assets.',
      'unavailable',
    );
  }
  if (res.status === 416 && have > 0) {
    // The server has nothing past what we hold; the partial file is stale or complete but unverified: restart.
    await res.body?.cancel();
    await rm(partial, { force: true });
    return download(url, partial, name, opts);
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new SpeechError(`cannot download ${name} from ${url}: HTTP ${res.status} ${res.statusText}`, 'unavailable');
  }
  const resumedFrom = res.status === 206 ? have : 0;
  const hash = createHash('sha256');
  if (resumedFrom > 0) for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? resumedFrom + length : null;
  let received = resumedFrom;
  opts.onProgress?.({ name, received, total, resumedFrom });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      received += chunk.length;
      opts.onProgress?.({ name, received, total, resumedFrom });
      cb(null, chunk);
    },
  });
  if (!res.body) throw new SpeechError(`cannot download ${name}: empty response`, 'unavailable');
  try {
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      counter,
      createWriteStream(partial, { flags: resumedFrom > 0 ? 'a' : 'w' }),
    );
  } catch (err) {
    throw new SpeechError(
      `download of ${name} was interrupted after ${received} bytes (${(err as Error).message}); run the same pull again to resume`,
      'unavailable',
    );
  }
  if (total !== null && received !== total) {
    throw new SpeechError(`download of ${name} ended early (${received} of ${total} bytes); run the same pull again to resume`, 'unavailable');
  }
  return { bytes: received, sha256: hash.digest('hex'), resumedFrom };
}

function untarBz2(archive: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-xjf', archive, '-C', into, '--no-same-owner', '--no-same-permissions'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', (e) => reject(new SpeechError(`cannot run tar to unpack ${basename(archive)}: ${e.message}; install tar and bzip2`, 'unavailable')));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new SpeechError(`unpacking ${basename(archive)} failed: ${err.trim() || `tar exited with ${code}`}`, 'model_invalid')),
    );
  });
}

/** Release archives hold one top-level directory; tolerate archives that hold the files directly. */
async function bundleRoot(staging: string): Promise<string> {
  const entries = await readdir(staging, { withFileTypes: true });
  if (entries.length === 1 && entries[0].isDirectory()) return join(staging, entries[0].name);
  return staging;
}

/** Drops what the bundle does not use (Whisper archives carry fp32 weights and test clips next to int8). */
async function pruneUnlisted(root: string, bundle: ModelBundle): Promise<void> {
  const keep = new Set(bundle.files.map((f) => f.path.split('/')[0]));
  for (const e of await readdir(root)) {
    if (keep.has(e) || /^(LICEN[CS]E|README|NOTICE)/i.test(e)) continue;
    await rm(join(root, e), { recursive: true, force: true });
  }
}

/** A one-line progress bar on stderr; redraws in place on a terminal, prints every 10 % otherwise. */
export function stderrProgress(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): (p: PullProgress) => void {
  const tty = !!stream.isTTY;
  let lastDraw = 0;
  let lastDecile = -1;
  const started = Date.now();
  return (p) => {
    const now = Date.now();
    const done = p.total !== null && p.received >= p.total;
    const frac = p.total ? p.received / p.total : 0;
    const mb = (n: number) => (n / 1048576).toFixed(n < 10 * 1048576 ? 2 : 1);
    const rate = (p.received - p.resumedFrom) / Math.max(0.001, (now - started) / 1000);
    if (tty) {
      if (!done && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round(frac * width);
      const bar = p.total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%` : '[size unknown]';
      stream.write(`\r${p.name} ${bar} ${mb(p.received)}${p.total ? `/${mb(p.total)}` : ''} MB ${mb(rate)} MB/s   `);
      if (done) stream.write('\n');
    } else {
      const decile = p.total ? Math.floor(frac * 10) : Math.floor(p.received / (50 * 1048576));
      if (decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${p.name}: ${mb(p.received)}${p.total ? `/${mb(p.total)} MB (${(frac * 100).toFixed(0)}%)` : ' MB'}\n`);
    }
  };
}
