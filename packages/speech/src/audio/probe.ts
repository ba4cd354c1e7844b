// Media inspection with ffprobe: tells the pipeline what it is about to decode before any heavy work starts.
import { spawn } from 'node:child_process';
import { SpeechError } from '../types.ts';
import { FFPROBE } from './ffmpeg.ts';

export interface MediaInfo {
  /** Container duration, or the longest stream's when the container has none. 0 when unknown. */
  durationSeconds: number;
  hasAudio: boolean;
  hasVideo: boolean;
  /** ffprobe's format name, e.g. 'mp3', 'wav', 'matroska,webm', 'mov,mp4,m4a,3gp,3g2,mj2'. */
  format: string;
  /** Codec of the first audio stream, e.g. 'mp3', 'opus', 'aac'; null without audio. */
  audioCodec: string | null;
}

interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string; duration?: string; disposition?: { attached_pic?: number } }[];
}

/** Runs ffprobe on a file. Anything ffprobe cannot parse is reported as `bad_input`. */
export async function probe(path: string, opts: { signal?: AbortSignal } = {}): Promise<MediaInfo> {
  const { stdout, stderr, code } = await runFfprobe(
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', path],
    opts.signal,
  );
  if (code !== 0) throw new SpeechError(`cannot read media file: ${firstLine(stderr, path) || `ffprobe exited with ${code}`}`, 'bad_input');
  let info: ProbeJson;
  try {
    info = JSON.parse(stdout) as ProbeJson;
  } catch (_err) {
    throw new SpeechError('cannot read media file: ffprobe returned no usable description', 'bad_input');
  }
  const streams = info.streams ?? [];
  const audio = streams.find((s) => s.codec_type === 'audio');
  // Cover art in an mp3/m4a shows up as a one-frame video stream; it is not a video.
  const hasVideo = streams.some((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const format = info.format?.format_name ?? '';
  if (!format || (streams.length === 0 && !info.format?.duration)) {
    throw new SpeechError('cannot read media file: no audio or video streams found', 'bad_input');
  }
  let duration = Number(info.format?.duration);
  if (!Number.isFinite(duration) || duration <= 0) {
    duration = Math.max(0, ...streams.map((s) => Number(s.duration)).filter((d) => Number.isFinite(d)));
  }
  if (stderr.trim()) throw new SpeechError(`cannot read media file: ${firstLine(stderr, path)}`, 'bad_input');
  const main = audio ?? streams.find((s) => s.codec_type === 'video');
  if (main && duration > 0) {
    const streamDuration = Number(main.duration);
    await checkTail(path, audio ? 'a:0' : 'v:0', Number.isFinite(streamDuration) && streamDuration > 0 ? streamDuration : duration, opts.signal);
  }
  return { durationSeconds: duration, hasAudio: !!audio, hasVideo, format, audioCodec: audio?.codec_name ?? null };
}

/**
 * Headers of a cut-off upload still announce the full duration (mp3 and wav estimate it from the size, webm
 * stores it up front), so read a few packets just before the announced end: a file that runs out earlier is
 * truncated. Containers that cannot seek fall back to reading from the start, which passes; that is fine,
 * the decoder reports real damage later.
 */
async function checkTail(path: string, stream: string, duration: number, signal?: AbortSignal): Promise<void> {
  const from = Math.max(0, duration - 1);
  const { stdout, stderr } = await runFfprobe(
    ['-v', 'error', '-select_streams', stream, '-read_intervals', `${from.toFixed(3)}%+#2`, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', '--', path],
    signal,
  );
  const packets = stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (stderr.trim() || packets < 2) {
    const reason = firstLine(stderr, path);
    throw new SpeechError(`media file is truncated or damaged${reason ? `: ${reason}` : ` (its data ends before the announced ${duration.toFixed(1)} s)`}`, 'bad_input');
  }
}

/** ffprobe's first complaint without its '[demuxer @ 0x…]' or '<path>:' prefix, which mean nothing to a user. */
function firstLine(text: string, path?: string): string {
  let line = text.trim().split('\n')[0]?.trim() ?? '';
  line = line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/i, '');
  if (path && line.startsWith(`${path}: `)) line = line.slice(path.length + 2);
  return line;
}

function runFfprobe(args: string[], signal?: AbortSignal): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFPROBE, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') reject(new SpeechError('probe aborted', 'engine'));
      else reject(new SpeechError(`cannot run ffprobe (${err.message}); install it with apt-get install ffmpeg`, 'unavailable'));
    });
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
}
