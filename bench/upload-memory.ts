// A 2 GB recording uploaded in 50 MB chunks to a `reflector server` child process, while its resident
// memory is sampled from /proc. Streaming means the growth must stay small whatever the file size.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchModule, BenchResult } from './support/report.ts';
import { rssOf, sampleRss, startServer } from './support/server.ts';

const TOTAL_BYTES = Number(process.env.BENCH_UPLOAD_BYTES ?? 2_000_000_000);
const CHUNK_BYTES = 50 * 1024 * 1024;
const TARGET_GROWTH = 100 * 1024 * 1024;
const MB = 1024 * 1024;

/** A 44-byte WAV header for 16-bit stereo 48 kHz PCM with `dataBytes` of samples. */
function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(48_000, 24);
  h.writeUInt32LE(48_000 * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Chunk `n` of a WAV file of TOTAL_BYTES: a quiet triangle wave, so the file is real audio. */
function chunkOf(n: number, pattern: Buffer): Buffer {
  const size = Math.min(CHUNK_BYTES, TOTAL_BYTES - n * CHUNK_BYTES);
  const out = Buffer.allocUnsafe(size);
  // Chunk sizes and the 44-byte header are multiples of the 4-byte frame, so samples stay aligned.
  for (let at = 0; at < size; ) at += pattern.copy(out, at);
  if (n === 0) wavHeader(TOTAL_BYTES - 44).copy(out, 0);
  return out;
}

function triangle(): Buffer {
  const frames = 1024;
  const b = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = Math.round((Math.abs((i % 256) - 128) - 64) * 40);
    b.writeInt16LE(v, i * 4);
    b.writeInt16LE(v, i * 4 + 2);
  }
  return b;
}

async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-bench-upload-'));
  // `server` alone: the upload is queued but not processed, so only the HTTP side is measured.
  const server = await startServer('server', { DATA_DIR: path.join(dir, 'data') }, dir);
  try {
    const created = await fetch(`${server.url}/v1/transcripts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench upload' }),
    });
    const { id } = (await created.json()) as { id: string };
    // Warm the route once so code loading is not counted as growth.
    await fetch(`${server.url}/v1/transcripts/${id}/record/upload?chunk_number=0&total_chunks=1`, { method: 'POST', body: new FormData() });
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = await rssOf(server.pid);

    const total = Math.ceil(TOTAL_BYTES / CHUNK_BYTES);
    const pattern = triangle();
    const sampler = sampleRss(server.pid, 50);
    const t0 = performance.now();
    let lastChunkMs = 0;
    let final: { status: number; body: string } | null = null;
    for (let n = 0; n < total; n++) {
      const form = new FormData();
      form.append('chunk', new Blob([new Uint8Array(chunkOf(n, pattern))]), 'meeting.wav');
      const c0 = performance.now();
      const res = await fetch(`${server.url}/v1/transcripts/${id}/record/upload?chunk_number=${n}&total_chunks=${total}`, { method: 'POST', body: form });
      const body = await res.text();
      if (n === total - 1) lastChunkMs = performance.now() - c0;
      if (res.status !== 200) {
        final = { status: res.status, body };
        break;
      }
      if (n === total - 1) final = { status: res.status, body };
    }
    const seconds = (performance.now() - t0) / 1000;
    const samples = await sampler.stop();
    const peak = Math.max(baseline, ...samples);
    const growth = peak - baseline;
    const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
    return {
      title: 'Upload: 2 GB in 50 MB chunks, server memory',
      rows: [
        { metric: 'uploaded', value: `${(TOTAL_BYTES / 1e9).toFixed(2)} GB in ${total} chunks (WAV)` },
        { metric: 'result of the last chunk', value: `${final?.status} ${final?.body.slice(0, 80)}`, target: '200', pass: final?.status === 200 },
        { metric: 'time', value: `${seconds.toFixed(1)} s (${(TOTAL_BYTES / MB / seconds).toFixed(0)} MB/s)` },
        { metric: 'last chunk (merge + ffprobe + store)', value: `${(lastChunkMs / 1000).toFixed(1)} s` },
        { metric: 'server RSS before', value: mb(baseline) },
        { metric: 'server RSS peak', value: mb(peak) },
        { metric: 'server RSS growth', value: mb(growth), target: '< 100 MB', pass: growth < TARGET_GROWTH },
      ],
      notes: [
        'The server runs as a separate `reflector server` process with embedded defaults (PGlite, local storage) and no worker, so the upload is queued but not processed. Its RSS is read from /proc/<pid>/status every 50 ms.',
        'The client sends a generated 16-bit stereo 48 kHz WAV (about 2.9 hours) as 50 MB multipart chunks, one after another, like the web app. Each chunk is streamed to disk; the last one joins the parts, probes the result with ffprobe and copies it into storage, all by streaming.',
      ],
    };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const uploadMemoryBench: BenchModule = { name: 'upload', run };
