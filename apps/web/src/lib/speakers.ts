import type { Participant } from '../api/types.ts';

export const SPEAKER_COLOURS = 8;

export function speakerName(participants: readonly Participant[] | undefined, speaker: number): string {
  return participants?.find((p) => p.speaker === speaker)?.name ?? `Speaker ${speaker}`;
}

/** CSS class suffix choosing one of the theme's speaker colours. */
export function speakerColour(speaker: number): string {
  return `var(--speaker-${((speaker % SPEAKER_COLOURS) + SPEAKER_COLOURS) % SPEAKER_COLOURS})`;
}
