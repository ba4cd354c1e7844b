// Parent side of the crash isolation: one child process per loaded model, requests queued one at a time,
// timeouts, and a fresh child after any crash. sherpa-onnx aborts or segfaults on some bad inputs, which no
// JavaScript try/catch can survive; here such a crash becomes a rejected promise with SpeechError 'engine'.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SpeechError } from '../types.ts';
import type { LoadSpec, Request, Response } from './protocol.ts';

const require = createRequire(import.meta.url);
const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.ts');
// Resolved to an absolute URL so the child finds tsx whatever its working directory is.
const TSX_LOADER = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

export interface SherpaProcessOptions {
  /** Used in error messages, e.g. the model name. */
  label: string;
  /** Per-request limit; the child is killed (and later respawned) when it is exceeded. Default 5 min. */
  timeoutMs?: number;
  /** Limit for spawning the child and building the sherpa object. Default 2 min. */
  loadTimeoutMs?: number;
}

type Pending = { id: number; what: string; resolve: (v: unknown) => void; reject: (e: Error) => void };

export interface ProcessStats {
  spawns: number;
  crashes: number;
  lastLoadMs: number;
}

export class SherpaProcess {
  private child: ChildProcess | null = null;
  private loaded: Promise<void> | null = null;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private stderrTail = '';
  private closed = false;
  readonly stats: ProcessStats = { spawns: 0, crashes: 0, lastLoadMs: 0 };

  constructor(
    private readonly spec: LoadSpec,
    private readonly opts: SherpaProcessOptions,
  ) {}

  /** Queues a request; the model is loaded into a (new) child first when needed. */
  request<T>(req: DistributiveOmit<Request, 'id'>, timeoutMs = this.opts.timeoutMs ?? 300_000): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new SpeechError(`${this.opts.label}: engine is closed`, 'engine');
      await this.ensureLoaded();
      return (await this.exchange({ ...req, id: this.nextId++ } as Request, timeoutMs)) as T;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  /** Loads the model now (otherwise the first request does). */
  warmUp(): Promise<void> {
    const run = () => this.ensureLoaded();
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = null;
    this.loaded = null;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(new SpeechError(`${this.opts.label}: engine was closed before it answered`, 'engine'));
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect?.();
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(force);
    }
  }

  private ensureLoaded(): Promise<void> {
    if (this.child && this.loaded) return this.loaded;
    this.loaded = this.spawnAndLoad();
    this.loaded.catch(() => {
      this.loaded = null;
    });
    return this.loaded;
  }

  private async spawnAndLoad(): Promise<void> {
    const t0 = performance.now();
    this.stderrTail = '';
    const child = fork(WORKER, [], {
      execPath: process.execPath,
      execArgv: ['--import', TSX_LOADER],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    this.stats.spawns++;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-3000);
    });
    child.on('message', (msg: Response) => this.onMessage(child, msg));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', () => {}); // 'exit' follows and reports
    const ready = new Promise<void>((resolve, reject) => {
      this.pending = { id: 0, what: 'starting the engine process', resolve: () => resolve(), reject };
    });
    const limit = this.opts.loadTimeoutMs ?? 120_000;
    await this.withTimeout(ready, limit, 'starting the engine process');
    await this.exchange({ op: 'load', id: this.nextId++, spec: this.spec }, limit, 'loading the model');
    this.stats.lastLoadMs = performance.now() - t0;
  }

  private withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new SpeechError(`${this.opts.label}: ${what} took longer than ${Math.round(ms / 1000)} s; the engine process was stopped`, 'engine');
        this.killChild();
        reject(err);
      }, ms);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private exchange(req: Request, timeoutMs: number, what = req.op === 'transcribe' ? 'recognising speech' : req.op === 'diarize' ? 'diarizing' : 'loading the model'): Promise<unknown> {
    const child = this.child;
    if (!child || !child.connected) return Promise.reject(new SpeechError(`${this.opts.label}: engine process is not running`, 'engine'));
    const done = new Promise<unknown>((resolve, reject) => {
      this.pending = { id: req.id, what, resolve, reject };
    });
    child.send(req);
    return this.withTimeout(done, timeoutMs, what);
  }

  private onMessage(child: ChildProcess, msg: Response): void {
    if (child !== this.child || !this.pending || msg.id !== this.pending.id) return;
    const p = this.pending;
    this.pending = null;
    if (msg.ok) p.resolve(msg.result);
    else {
      const kind = msg.kind === 'bad_input' ? 'bad_input' : 'engine';
      p.reject(new SpeechError(`${this.opts.label}: ${msg.error}`, kind));
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.loaded = null;
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    this.stats.crashes++;
    const how = signal ? `was killed by ${signal}${signal === 'SIGSEGV' ? ' (segmentation fault)' : signal === 'SIGABRT' ? ' (abort)' : ''}` : `exited with code ${code}`;
    const native = lastMeaningfulLines(this.stderrTail);
    const stage = `while ${p.what}`;
    p.reject(
      new SpeechError(
        `${this.opts.label}: the speech engine process ${how} ${stage}${native ? `: ${native}` : ''}. ` +
          'The model files may be corrupt or incompatible; the next request starts a fresh process.',
        'engine',
      ),
    );
  }

  private killChild(): void {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.loaded = null;
    this.pending = null;
    child.kill('SIGKILL');
  }
}

/**
 * The child of one engine, started on first use after the engine's own checks. A failed start is tried
 * again on the next call, because the operator may have fixed the model files meanwhile.
 */
export class LazySherpaProcess {
  private proc: SherpaProcess | null = null;
  private ready: Promise<SherpaProcess> | null = null;

  constructor(private readonly start: () => Promise<SherpaProcess>) {}

  get(): Promise<SherpaProcess> {
    if (!this.ready) {
      const ready = this.start().then((proc) => (this.proc = proc));
      ready.catch(() => {
        if (this.ready === ready) this.ready = null;
      });
      this.ready = ready;
    }
    return this.ready;
  }

  /** Starts the child with the model loaded, so the first request does not pay for it. */
  async load(): Promise<{ loadMs: number }> {
    const proc = await this.get();
    await proc.warmUp();
    return { loadMs: proc.stats.lastLoadMs };
  }

  get stats(): ProcessStats | undefined {
    return this.proc?.stats;
  }

  async close(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    this.ready = null;
    await proc?.close();
  }
}

function lastMeaningfulLines(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3)
    .join(' | ')
    .slice(0, 600);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
