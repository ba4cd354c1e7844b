// The instructions given to the LLM. Each asks for JSON matching a schema; times are cited as the
// [mm:ss] marks that start every transcript line.

export const SYSTEM =
  'You help people understand their meetings. You read meeting transcripts and answer only with JSON that matches the given schema. ' +
  'Stay faithful to what was said: never invent names, numbers, dates or decisions. Write in the language of the transcript.';

export const topicsPrompt = (transcript: string) =>
  `Here is part of a meeting transcript. Each line starts with its time [mm:ss] and the speaker.

${transcript}

Divide this part into the topics discussed, in order. A topic is a stretch of conversation about one subject; ` +
  `small talk and greetings belong to the next real topic. For each topic give:
- "title": a short title (at most 8 words, no trailing period);
- "summary": what was said about it, in at most two sentences;
- "start": the [mm:ss] time of the first line of the topic, exactly as written in the transcript.`;

export const titlePrompt = (topics: string) =>
  `These are the topics of a meeting, in order:

${topics}

Give the meeting a "title": at most 10 words, specific to what was discussed (not "Meeting" or "Discussion"), no trailing period.`;

export const notesPrompt = (transcript: string) =>
  `Here is part of a meeting transcript. Each line starts with its time [mm:ss] and the speaker.

${transcript}

Write notes on this part:
- "points": the important things said (facts, proposals, concerns, figures), each a short self-contained sentence, ` +
  `with "times": the [mm:ss] times of the lines it comes from;
- "decisions": decisions that were actually made, with "decision", optional "rationale", optional "decided_by" (a name or speaker label as written), and "times";
- "next_steps": tasks someone committed to or was asked to do, with "task", optional "assigned_to" (as written in the transcript), ` +
  `optional "deadline" (as said, e.g. "Friday"), optional "context", and "times";
- "speaker_names": only when the transcript makes it clear (someone is addressed by name, or introduces themselves), ` +
  `which speaker label is which person: {"speaker": "Speaker 1", "name": "Maria"}. Leave it empty when unsure.
Use empty lists when there is nothing of a kind.`;

export const combinePrompt = (notes: string, topics: string) =>
  `These are notes taken on a meeting, with the [mm:ss] times they come from:

${notes}

The meeting's topics were:
${topics}

Write the summary:
- "recap": a "quick recap" paragraph of three to five sentences: what the meeting was about and what came out of it;
- "short_summary": one or two sentences;
- "subjects": the main subjects (two to six, in the order they came up), each with a "title", a one-sentence "summary" ` +
  `and "points": the key statements as bullet sentences, each with the "times" of the notes it comes from (copy the times, do not make new ones).`;
