// A synthetic two-speaker meeting: festival voices (cmu_us_slt_arctic_hts female, kal_diphone male)
// joined by ffmpeg into one AAC file, with the speaker timeline and approximate word times known.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Utterance {
  speaker: number;
  voice: string;
  text: string;
}

export interface TimedWord {
  text: string;
  start: number;
  end: number;
  speaker: number;
}

export const SCRIPT: Utterance[] = [
  { speaker: 0, voice: 'cmu_us_slt_arctic_hts', text: 'Good morning everyone. Let us review the quarterly budget for the lighthouse project.' },
  { speaker: 1, voice: 'kal_diphone', text: 'Thanks. The lighthouse budget is on track, but the marketing costs grew by ten percent.' },
  { speaker: 0, voice: 'cmu_us_slt_arctic_hts', text: 'Then we should move two thousand euros from travel to marketing before Friday.' },
  { speaker: 1, voice: 'kal_diphone', text: 'Agreed. I will send the updated spreadsheet to the finance team tomorrow.' },
];

const GAP_S = 0.4;

function durationOf(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(out.trim());
}

/** Writes meeting.m4a into `dir`; returns its path, duration and the words with their estimated times. */
export function makeMeeting(dir: string): { file: string; duration: number; words: TimedWord[] } {
  const parts: string[] = [];
  const words: TimedWord[] = [];
  let offset = 0;
  SCRIPT.forEach((u, i) => {
    const txt = path.join(dir, `u${i}.txt`);
    const wav = path.join(dir, `u${i}.wav`);
    writeFileSync(txt, u.text);
    execFileSync('text2wave', ['-eval', `(voice_${u.voice})`, '-o', wav, txt]);
    const d = durationOf(wav);
    // Spread the words over the utterance in proportion to their length: close enough to seek by.
    const tokens = u.text.split(/\s+/);
    const letters = tokens.reduce((n, t) => n + t.length + 1, 0);
    let t = offset + 0.1;
    const usable = d - 0.2;
    for (const tok of tokens) {
      const len = (usable * (tok.length + 1)) / letters;
      words.push({ text: ` ${tok}`, start: Number(t.toFixed(3)), end: Number((t + len * 0.9).toFixed(3)), speaker: u.speaker });
      t += len;
    }
    parts.push(wav);
    offset += d + GAP_S;
  });
  const list = path.join(dir, 'parts.txt');
  const silence = path.join(dir, 'gap.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `anullsrc=r=16000:cl=mono`, '-t', String(GAP_S), silence]);
  // Every part resampled to one format so the concat demuxer can join them.
  const norm = parts.map((p, i) => {
    const out = path.join(dir, `n${i}.wav`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', p, '-ar', '16000', '-ac', '1', out]);
    return out;
  });
  writeFileSync(list, norm.flatMap((p) => [`file '${p}'`, `file '${silence}'`]).join('\n'));
  const file = path.join(dir, 'meeting.m4a');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c:a', 'aac', '-b:a', '64k', file]);
  return { file, duration: durationOf(file), words };
}
