// Participants (named speakers) and speaker corrections. Pure functions over a transcript's participants
// and topics; the routes run them inside mutateTranscript so the read and the write are one transaction.
import { randomUUID } from 'node:crypto';
import type { Participant, Topic } from '../db/schema.ts';
import { badRequest, notFound } from '../errors.ts';

export const SPEAKER_TAKEN = 'Speaker already assigned';
export const PARTICIPANT_NOT_FOUND = 'Participant not found';

function assertSpeakerFree(participants: readonly Participant[], speaker: number | null | undefined, exceptId?: string) {
  if (speaker === null || speaker === undefined) return;
  if (participants.some((p) => p.id !== exceptId && p.speaker === speaker)) throw badRequest(SPEAKER_TAKEN);
}

export function findParticipant(participants: readonly Participant[], pid: string): Participant {
  const p = participants.find((x) => x.id === pid);
  if (!p) throw notFound(PARTICIPANT_NOT_FOUND);
  return p;
}

export function addParticipant(
  participants: readonly Participant[],
  input: { name: string; speaker?: number | null; user_id?: string | null },
): { participants: Participant[]; participant: Participant } {
  assertSpeakerFree(participants, input.speaker);
  const participant: Participant = { id: randomUUID(), speaker: input.speaker ?? null, name: input.name, user_id: input.user_id ?? null };
  return { participants: [...participants, participant], participant };
}

/** Applies the given fields only; a speaker collision is checked only when a speaker is given. */
export function updateParticipant(
  participants: readonly Participant[],
  pid: string,
  patch: { name?: string; speaker?: number | null },
): { participants: Participant[]; participant: Participant } {
  const current = findParticipant(participants, pid);
  if (patch.speaker !== undefined) assertSpeakerFree(participants, patch.speaker, pid);
  const participant: Participant = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.speaker !== undefined ? { speaker: patch.speaker } : {}),
  };
  return { participants: participants.map((p) => (p.id === pid ? participant : p)), participant };
}

export function removeParticipant(participants: readonly Participant[], pid: string): Participant[] {
  return participants.filter((p) => p.id !== pid);
}

/** The lowest speaker index that no word uses and no participant holds. */
export function lowestFreeSpeaker(topics: readonly Topic[], participants: readonly Participant[]): number {
  const used = new Set<number>();
  for (const t of topics) for (const w of t.words ?? []) used.add(w.speaker ?? 0);
  for (const p of participants) if (p.speaker !== null && p.speaker !== undefined) used.add(p.speaker);
  let n = 0;
  while (used.has(n)) n++;
  return n;
}

function relabel(topics: readonly Topic[], match: (w: Topic['words'][number]) => boolean, speaker: number): Topic[] {
  return topics.map((t) => {
    if (!t.words?.some(match)) return t;
    return { ...t, words: t.words.map((w) => (match(w) ? { ...w, speaker } : w)) };
  });
}

export interface SpeakerAssignment {
  speaker?: number | null;
  participant?: string | null;
  timestamp_from: number;
  timestamp_to: number;
}

/**
 * Gives every word starting within [timestamp_from, timestamp_to] (in any topic) a speaker: the given index,
 * or the participant's. A participant without a speaker first gets the lowest free index.
 */
export function assignSpeaker(
  topics: readonly Topic[],
  participants: readonly Participant[],
  a: SpeakerAssignment,
): { topics: Topic[]; participants: Participant[]; speaker: number } {
  const hasSpeaker = a.speaker !== null && a.speaker !== undefined;
  const hasParticipant = a.participant !== null && a.participant !== undefined;
  if (!hasSpeaker && !hasParticipant) throw badRequest('Either speaker or participant must be provided');
  if (hasSpeaker && hasParticipant) throw badRequest('Only one of speaker or participant must be provided');
  if (a.timestamp_from > a.timestamp_to) throw badRequest('timestamp_from must not be after timestamp_to');
  let speaker: number;
  let nextParticipants = [...participants];
  if (hasParticipant) {
    const p = findParticipant(participants, a.participant!);
    if (p.speaker === null || p.speaker === undefined) {
      speaker = lowestFreeSpeaker(topics, participants);
      nextParticipants = participants.map((x) => (x.id === p.id ? { ...x, speaker } : x));
    } else {
      speaker = p.speaker;
    }
  } else {
    speaker = a.speaker!;
  }
  const inRange = (w: { start: number }) => a.timestamp_from <= w.start && w.start <= a.timestamp_to;
  return { topics: relabel(topics, inRange, speaker), participants: nextParticipants, speaker };
}

/**
 * Every word of speaker_from becomes speaker_to. Refused when both speakers are named by different
 * participants (one name would silently disappear); a participant naming only speaker_from follows its words.
 */
export function mergeSpeakers(
  topics: readonly Topic[],
  participants: readonly Participant[],
  speakerFrom: number,
  speakerTo: number,
): { topics: Topic[]; participants: Participant[] } {
  if (speakerFrom === speakerTo) return { topics: [...topics], participants: [...participants] };
  const from = participants.find((p) => p.speaker === speakerFrom);
  const to = participants.find((p) => p.speaker === speakerTo);
  if (from && to) throw badRequest('Both speakers are assigned to participants');
  return {
    topics: relabel(topics, (w) => (w.speaker ?? 0) === speakerFrom, speakerTo),
    participants: from ? participants.map((p) => (p.id === from.id ? { ...p, speaker: speakerTo } : p)) : [...participants],
  };
}
