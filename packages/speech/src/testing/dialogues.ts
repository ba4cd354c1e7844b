// Scripted meetings for synthetic test audio. Each subject is a run of plain sentences (no digits or
// abbreviations, which the festival voices read inconsistently) so a meeting has topics a summariser can find.
import { seededRandom, type SynthTurn, type SynthVoice } from './synth-meeting.ts';

export interface Subject {
  id: string;
  title: string;
  sentences: string[];
}

export const SUBJECTS: Subject[] = [
  {
    id: 'hiring',
    title: 'Hiring for the mobile team',
    sentences: [
      'Good morning everyone, let us start the weekly planning meeting.',
      'The first subject today is hiring for the mobile team.',
      'We have budget for two more engineers before the end of the quarter.',
      'I would like one of them to have experience with payments.',
      'The recruiting agency sent us five candidates last week.',
      'Two of them looked strong, and I will interview them on Thursday.',
      'Please send me your questions for the technical interview by Wednesday.',
      'We should also ask the design team to join the final round.',
      'If we hire quickly, the new people can start next month.',
      'That would let us finish the mobile release on time.',
    ],
  },
  {
    id: 'launch',
    title: 'Product launch date',
    sentences: [
      'Let us move on to the product launch.',
      'Marketing wants to announce the new version at the spring conference.',
      'The beta testers reported three problems with the login screen.',
      'Two of those problems are already fixed in the latest build.',
      'The last one needs a change on the server side.',
      'I think we can still make the launch date if nothing else breaks.',
      'We need a written plan for what happens if the servers slow down.',
      'The support team asked for a short guide before the announcement.',
      'I will write that guide together with the documentation team.',
      'Let us review the launch checklist again next Monday.',
    ],
  },
  {
    id: 'office',
    title: 'Moving to the new office',
    sentences: [
      'The next subject is the move to the new office.',
      'The building manager says the new floor will be ready in six weeks.',
      'We still have to choose furniture for the meeting rooms.',
      'Several people asked for more quiet space to focus.',
      'I suggest we keep two small rooms for phone calls only.',
      'The kitchen on the new floor is bigger, which everybody will like.',
      'Parking is a problem, so we should encourage people to take the train.',
      'The movers need a list of every desk and every screen by Friday.',
      'Please label your boxes with your name and your team.',
      'We will hold a small party once everything is unpacked.',
    ],
  },
  {
    id: 'support',
    title: 'Customer support backlog',
    sentences: [
      'Now a quick update on the customer support backlog.',
      'The number of open tickets went down for the third week in a row.',
      'Most of the remaining tickets are about billing questions.',
      'Customers find the invoice page confusing, especially the tax lines.',
      'We could add a short explanation next to each line of the invoice.',
      'The average response time is now under four hours.',
      'Our goal for next month is to answer every ticket within one day.',
      'The night shift needs one more person to reach that goal.',
      'I will ask the finance team to review the billing answers.',
      'Good work everyone, the customers have noticed the difference.',
    ],
  },
  {
    id: 'security',
    title: 'Security review',
    sentences: [
      'The last subject is the security review.',
      'The outside auditors will visit us at the beginning of next month.',
      'They want to see how we store passwords and how we rotate keys.',
      'Every laptop must have disk encryption turned on before the visit.',
      'We found two old accounts that still had access to the servers.',
      'Those accounts were closed yesterday afternoon.',
      'Please finish the security training if you have not done it yet.',
      'The training takes about twenty minutes and it is quite useful.',
      'I will share the auditors report with everyone when it arrives.',
      'Thank you all, that is everything for today.',
    ],
  },
];

/** Sentences the narrator uses when a long meeting needs more text than the subjects hold. */
const FILLERS = [
  'Let me summarise what we said so far.',
  'Does anyone have a question about this?',
  'I agree with that, it sounds like a good plan.',
  'Could you say a little more about the timeline?',
  'That makes sense to me.',
  'We can come back to this at the end of the meeting.',
  'I will write this down as an action item.',
  'Let us keep going, we have a lot to cover.',
];

export interface DialogueOptions {
  speakers: SynthVoice[];
  /** Number of turns; default enough sentences to cover `minutes`, or every subject sentence once. */
  turns?: number;
  /** Approximate length of the rendered meeting. */
  minutes?: number;
  /** Sentences per turn (default 1 or 2, varying). */
  sentencesPerTurn?: number;
  seed?: number;
}

/** Rough speaking rate of the festival voices including the gaps between turns (words per second). */
const WORDS_PER_SECOND = 2.65;

/**
 * Builds a meeting script that walks through the subjects in order. Speakers take turns so that no speaker
 * talks twice in a row (unless there is only one); with three speakers the order varies.
 */
export function buildDialogue(opts: DialogueOptions): SynthTurn[] {
  if (!opts.speakers.length) throw new Error('buildDialogue needs at least one speaker');
  const rand = seededRandom(opts.seed ?? 42);
  const pool = SUBJECTS.flatMap((s) => s.sentences);
  const wordTarget = opts.minutes !== undefined ? opts.minutes * 60 * WORDS_PER_SECOND : Infinity;
  const turnTarget = opts.turns ?? (opts.minutes !== undefined ? Infinity : Math.ceil(pool.length / 1.5));
  const turns: SynthTurn[] = [];
  let words = 0;
  let next = 0;
  let filler = 0;
  let speaker = 0;
  while (turns.length < turnTarget && words < wordTarget) {
    const count = opts.sentencesPerTurn ?? (rand() < 0.5 ? 1 : 2);
    const sentences: string[] = [];
    for (let i = 0; i < count; i++) {
      if (next < pool.length) sentences.push(pool[next++]);
      else sentences.push(FILLERS[filler++ % FILLERS.length]);
      // A long meeting goes through the agenda again once the fillers are used up.
      if (filler >= FILLERS.length && next >= pool.length) {
        next = 0;
        filler = 0;
      }
    }
    const text = sentences.join(' ');
    turns.push({ speaker: opts.speakers[speaker], text });
    words += text.split(/\s+/).length;
    if (opts.speakers.length > 1) {
      const step = opts.speakers.length > 2 && rand() < 0.35 ? 2 : 1;
      speaker = (speaker + step) % opts.speakers.length;
    }
  }
  return turns;
}

/** About one minute each: used by tests. */
export const DIALOGUES = {
  /** slt and kal discuss hiring and the launch. */
  twoSpeakers: (): SynthTurn[] => buildDialogue({ speakers: ['slt', 'kal'], minutes: 1, seed: 1 }),
  /** slt, kal and ked go through the agenda. */
  threeSpeakers: (): SynthTurn[] => buildDialogue({ speakers: ['slt', 'kal', 'ked'], minutes: 1, seed: 2 }),
  /** slt alone, dictating. */
  oneSpeakerSlt: (): SynthTurn[] => buildDialogue({ speakers: ['slt'], minutes: 1, seed: 3 }),
  /** kal alone. */
  oneSpeakerKal: (): SynthTurn[] => buildDialogue({ speakers: ['kal'], minutes: 1, seed: 4 }),
};
