// Content the pipeline does not produce yet (topics with words, title, summaries, action items), written
// through the server's own repository functions so the pages have something real to show.
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../apps/server/src/context.ts';
import { transcripts } from '../../apps/server/src/db/schema.ts';
import { setTopics, type TopicInput } from '../../apps/server/src/transcripts/content.ts';
import { createTranscript } from '../../apps/server/src/transcripts/repository.ts';
import { waveformKey } from '../../apps/server/src/transcripts/files.ts';
import type { TimedWord } from './meeting.ts';

type Ctx = Pick<AppContext, 'database' | 'storage'>;

export async function seedMeetingContent(ctx: Ctx, id: string, words: TimedWord[]): Promise<TopicInput[]> {
  const half = words.findIndex((w) => w.text.includes('Then'));
  const topics: TopicInput[] = [
    {
      title: 'Lighthouse budget review',
      summary: 'The team reviews the quarterly lighthouse budget; marketing costs grew by ten percent.',
      timestamp: words[0].start,
      words: words.slice(0, half),
    },
    {
      title: 'Moving funds to marketing',
      summary: 'Two thousand euros move from travel to marketing; the spreadsheet goes to finance.',
      timestamp: words[half].start,
      words: words.slice(half),
    },
  ];
  await setTopics(ctx, id, topics);
  const at = (s: number) => `[${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}]`;
  // The pipeline links statements as [m:ss](#t=seconds); hand-written summaries may use plain [m:ss].
  const link = (s: number) => `${at(s)}(#t=${Math.floor(s)})`;
  await ctx.database.db
    .update(transcripts)
    .set({
      title: 'Quarterly lighthouse budget',
      shortSummary: 'Budget on track; marketing gets two thousand euros from travel.',
      longSummary: [
        '## Budget',
        `- The lighthouse budget is on track ${link(words[0].start)}`,
        `- Marketing costs grew by **ten percent** ${link(words[Math.floor(half / 2)].start)}`,
        '',
        '## Decisions',
        `1. Move two thousand euros from travel to marketing before Friday ${at(words[half].start)}`,
      ].join('\n'),
      actionItems: {
        decisions: [{ decision: 'Move two thousand euros from travel to marketing', rationale: 'Marketing costs grew by ten percent', decided_by: 'Speaker 0' }],
        next_steps: [{ task: 'Send the updated spreadsheet to the finance team', assigned_to: 'Speaker 1', deadline: 'tomorrow', context: 'After the budget move' }],
      },
    })
    .where(eq(transcripts.id, id));
  return topics;
}

const VOCAB = (
  'we should look at the numbers again before the release because the customers asked for better reports and ' +
  'the team agreed to ship the new search next month while support keeps an eye on the queue of open tickets ' +
  'budget planning design review hiring roadmap incidents latency storage migration onboarding feedback'
).split(' ');

/** A finished three-hour meeting: `wordCount` words over `topicCount` topics, three speakers, a waveform, no audio. */
export async function seedLongTranscript(ctx: Ctx, wordCount = 30_000, hours = 3, topicCount = 60): Promise<string> {
  const t = await createTranscript(ctx, { name: 'Three-hour all hands', source_kind: 'file' });
  const total = hours * 3600;
  const step = total / wordCount;
  const perTopic = Math.ceil(wordCount / topicCount);
  const topics: TopicInput[] = [];
  let speaker = 0;
  let n = 0;
  for (let k = 0; k < topicCount; k++) {
    const words: NonNullable<TopicInput['words']> = [];
    for (let i = 0; i < perTopic && n < wordCount; i++, n++) {
      if (n % 47 === 0) speaker = (speaker + 1 + (n % 2)) % 3;
      const w = VOCAB[(n * 7) % VOCAB.length];
      const end = n % 13 === 12;
      words.push({ text: ` ${n % 13 === 0 ? w[0].toUpperCase() + w.slice(1) : w}${end ? '.' : ''}`, start: n * step, end: n * step + step * 0.8, speaker });
    }
    if (words.length) topics.push({ title: `Topic ${k + 1}: ${VOCAB[(k * 5) % VOCAB.length]} ${VOCAB[(k * 11 + 3) % VOCAB.length]}`, summary: 'A part of the long meeting.', timestamp: words[0].start, words });
  }
  await setTopics(ctx, t.id, topics);
  const waveform = Array.from({ length: 255 }, (_, i) => 0.2 + 0.6 * Math.abs(Math.sin(i / 7)));
  await ctx.storage.put(waveformKey(t.id), Buffer.from(JSON.stringify(waveform)), { contentType: 'application/json' });
  await ctx.database.db
    .update(transcripts)
    .set({ status: 'ended', duration: total * 1000, title: 'Three-hour all hands', longSummary: '## Overview\n- A long meeting [0:00]\n- Closing remarks [2:59:00]' })
    .where(eq(transcripts.id, t.id));
  return t.id;
}
