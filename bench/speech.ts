// Speech engines on their own: recognition accuracy and speed of the basic engine, classical diarization
// with the number of speakers estimated, and memory over a three-hour recording.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildDialogue,
  ClassicalDiarizer,
  computeDer,
  DIALOGUES,
  parseRttm,
  PocketsphinxEngine,
  synthesizeMeeting,
  transcribeFile,
  wordErrorRate,
  type SynthMeeting,
} from '@reflector/speech';
import type { BenchModule, BenchResult, BenchRow } from './support/report.ts';

const REAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/real');
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** CPU seconds used by this process and its finished children (pocketsphinx, ffmpeg). */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  const children = readChildrenCpu();
  return (self.user + self.system) / 1e6 + children;
}

function readChildrenCpu(): number {
  // /proc/self/stat fields 16 and 17: cutime and cstime of waited-for children, in clock ticks.
  const fields = execFileSync('cat', [`/proc/${process.pid}/stat`], { encoding: 'utf8' }).split(') ')[1].split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return ticks / 100;
}

async function recognition(meeting: SynthMeeting, engine: PocketsphinxEngine) {
  const cpu0 = cpuSeconds();
  const t0 = Date.now();
  const r = await transcribeFile(meeting.wavPath, engine, { language: 'en' });
  const wall = (Date.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  return { wer: wordErrorRate(meeting.transcript, r.text).wer, rtf: wall / meeting.duration, cpuPerSecond: cpu / meeting.duration };
}

async function diarization(meeting: { wavPath: string; segments: Array<{ start: number; end: number; speaker: string }> }) {
  const t0 = Date.now();
  const segments = await new ClassicalDiarizer().diarizeFile(meeting.wavPath);
  const seconds = (Date.now() - t0) / 1000;
  const der = computeDer(meeting.segments, segments.map((s) => ({ ...s, speaker: String(s.speaker) })));
  return { der: der.der, speakers: new Set(segments.map((s) => s.speaker)).size, seconds };
}

export const speechBench: BenchModule = {
  name: 'speech',
  async run(): Promise<BenchResult> {
    const engine = new PocketsphinxEngine();
    const rows: BenchRow[] = [];
    const two = await synthesizeMeeting({ turns: buildDialogue({ speakers: ['slt', 'kal'], minutes: 3, seed: 21 }), name: 'bench-speech-2spk' });
    const slt = await synthesizeMeeting({ turns: DIALOGUES.oneSpeakerSlt(), name: 'bench-speech-slt' });
    for (const [label, m] of [['slt + kal, 3 min', two], ['slt alone, 1 min', slt]] as const) {
      const r = await recognition(m, engine);
      rows.push(
        { metric: `pocketsphinx WER, ${label}`, value: pct(r.wer), target: '≤ 12 %', pass: r.wer <= 0.12 },
        { metric: `pocketsphinx real-time factor, ${label}`, value: `${r.rtf.toFixed(3)} wall (${r.cpuPerSecond.toFixed(3)} CPU-s per audio-s)`, target: '≤ 0.25', pass: r.rtf <= 0.25 },
      );
    }
    const three = await synthesizeMeeting({ turns: buildDialogue({ speakers: ['slt', 'kal', 'ked'], minutes: 2, seed: 22 }), name: 'bench-speech-3spk' });
    const kal = await synthesizeMeeting({ turns: DIALOGUES.oneSpeakerKal(), name: 'bench-speech-kal' });
    for (const [label, m, n, bound] of [
      ['slt + kal, 3 min', two, 2, 0.05],
      ['slt + kal + ked, 2 min', three, 3, 0.05],
      ['slt alone', slt, 1, 0.05],
      ['kal alone', kal, 1, 0.05],
    ] as const) {
      const d = await diarization(m);
      rows.push({ metric: `classical DER, ${label} (speakers found)`, value: `${pct(d.der)} (${d.speakers}; ${d.seconds.toFixed(1)} s)`, target: `≤ 5 %, ${n}`, pass: d.der <= bound && d.speakers === n });
    }
    const realRttm = parseRttm(await readFile(path.join(REAL, 'two-speakers-30s.rttm'), 'utf8'));
    const real = await diarization({ wavPath: path.join(REAL, 'two-speakers-30s.wav'), segments: realRttm });
    rows.push({ metric: 'classical DER, real two-speaker recording (speakers found)', value: `${pct(real.der)} (${real.speakers})`, target: 'aim ≤ 20 %', pass: real.der <= 0.2 });
    return {
      title: 'Speech engines: basic recognition and classical diarization',
      rows,
      notes: [
        'Meetings are synthesised with festival voices (slt female HTS, kal and ked male diphone) from scripted dialogues, with a reference transcript and RTTM. The number of speakers is never given to the diarizer. DER is frame-level (10 ms), no collar, with the best speaker mapping; overlapping speech in the reference counts as missed speech.',
        'The real recording is the 30-second two-speaker sample in shared/fixtures/real (pyannote-audio, MIT), whose reference contains overlapping speech this engine never outputs.',
      ],
    };
  },
};

export const speechMemoryBench: BenchModule = {
  name: 'speech-memory',
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-bench-speech-'));
    try {
      const meeting = await synthesizeMeeting({ turns: DIALOGUES.twoSpeakers(), name: 'bench-speech-1min' });
      const speech = path.join(dir, 'speech.wav');
      const silence = path.join(dir, 'silence.wav');
      execFileSync('ffmpeg', ['-v', 'error', '-i', meeting.wavPath, '-ar', '16000', '-ac', '1', '-y', speech]);
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.002:duration=${600 - meeting.duration}:r=16000`, '-ac', '1', '-y', silence]);
      const results: BenchRow[] = [];
      for (const hours of [0.5, 3]) {
        const blocks = Math.round(hours * 6);
        const list = path.join(dir, `list-${hours}.txt`);
        await writeFile(list, Array.from({ length: blocks }, () => `file '${speech}'\nfile '${silence}'`).join('\n'));
        const file = path.join(dir, `long-${hours}.mp3`);
        execFileSync('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c:a', 'libmp3lame', '-b:a', '48k', '-y', file]);
        let peak = process.memoryUsage().rss;
        const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
        const t0 = Date.now();
        const engine = new PocketsphinxEngine();
        const r = await transcribeFile(file, engine, { language: 'en' });
        const segments = await new ClassicalDiarizer().diarizeFile(file);
        clearInterval(timer);
        results.push({
          metric: `${hours} h recording: peak RSS of the process (transcribe + diarize)`,
          value: `${(peak / 2 ** 20).toFixed(0)} MB (${r.words.length} words, ${new Set(segments.map((s) => s.speaker)).size} speakers, ${((Date.now() - t0) / 1000).toFixed(0)} s, window ${r.peakWindowSeconds.toFixed(0)} s)`,
        });
      }
      const rss = results.map((r) => Number(/^(\d+) MB/.exec(r.value)?.[1]));
      results.push({ metric: 'growth from 0.5 h to 3 h', value: `${rss[1] - rss[0]} MB`, target: 'flat (< 50 MB)', pass: rss[1] - rss[0] < 50 });
      return {
        title: 'Speech engines: memory over a three-hour recording',
        rows: results,
        notes: [
          'The recordings repeat one minute of two-speaker dialogue in every ten minutes, with quiet pink noise between, so decoding, VAD and diarization run over the whole length while recognition stays short. Peak RSS is this Node process (pocketsphinx runs in child processes of about 108 MB each, two at a time, and is not included).',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
