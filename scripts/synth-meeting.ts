// Renders a synthetic meeting (WAV + reference transcript + RTTM) with the festival voices.
//   npx tsx scripts/synth-meeting.ts --speakers slt,kal --minutes 2 --out dir [--name meeting] [--seed 1]
import { parseArgs } from 'node:util';
import { buildDialogue } from '../packages/speech/src/testing/dialogues.ts';
import { SYNTH_VOICES, synthesizeMeeting, type SynthVoice } from '../packages/speech/src/testing/synth-meeting.ts';

const { values } = parseArgs({
  options: {
    speakers: { type: 'string', default: 'slt,kal' },
    minutes: { type: 'string' },
    turns: { type: 'string' },
    out: { type: 'string', default: '.' },
    name: { type: 'string', default: 'meeting' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`usage: synth-meeting [--speakers slt,kal,ked] [--minutes N | --turns N] [--out DIR] [--name NAME] [--seed N]
voices: ${Object.entries(SYNTH_VOICES)
    .map(([k, v]) => `${k} (${v.description})`)
    .join(', ')}`);
  process.exit(0);
}

const speakers = values.speakers.split(',').map((s) => s.trim()) as SynthVoice[];
for (const s of speakers) {
  if (!(s in SYNTH_VOICES)) {
    console.error(`unknown voice "${s}"; choose from ${Object.keys(SYNTH_VOICES).join(', ')}`);
    process.exit(2);
  }
}
const minutes = values.minutes !== undefined ? Number(values.minutes) : undefined;
const turnCount = values.turns !== undefined ? Number(values.turns) : undefined;
if ((minutes !== undefined && !(minutes > 0)) || (turnCount !== undefined && !(turnCount > 0))) {
  console.error('--minutes and --turns must be positive numbers');
  process.exit(2);
}

const started = Date.now();
const turns = buildDialogue({ speakers, minutes: minutes ?? (turnCount === undefined ? 1 : undefined), turns: turnCount, seed: Number(values.seed) });
const meeting = await synthesizeMeeting({ turns, outDir: values.out, name: values.name });
console.log(
  JSON.stringify(
    {
      wav: meeting.wavPath,
      rttm: meeting.rttmPath,
      transcript: meeting.transcriptPath,
      json: meeting.jsonPath,
      duration: meeting.duration,
      turns: meeting.turns.length,
      speakers: meeting.speakers,
      seconds: (Date.now() - started) / 1000,
    },
    null,
    1,
  ),
);
