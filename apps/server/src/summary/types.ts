// What the summary stages read and produce. Times are seconds from the start of the recording.

/** One line of the transcript as the summarisers see it: a speaker's uninterrupted run of words. */
export interface Line {
  start: number;
  end: number;
  /** Display name: a participant's name or "Speaker N". */
  speaker: string;
  text: string;
}

export interface DetectedTopic {
  title: string;
  /** At most two sentences. */
  summary: string;
  start: number;
  end: number;
}

/** A statement of the summary with the moments it comes from. */
export interface Point {
  text: string;
  timestamps: number[];
}

export interface Subject {
  title: string;
  summary: string;
  points: Point[];
}

export interface Decision {
  decision: string;
  rationale?: string | null;
  decided_by?: string | null;
  timestamps: number[];
}

export interface NextStep {
  task: string;
  assigned_to?: string | null;
  deadline?: string | null;
  context?: string | null;
  timestamps: number[];
}

export interface ActionItems {
  decisions: Decision[];
  next_steps: NextStep[];
}

/** Names the summariser found for speakers ("Speaker 1" → "Maria"). */
export interface SpeakerName {
  speaker: string;
  name: string;
}

export interface MeetingSummary {
  method: 'llm' | 'extractive';
  title: string;
  recap: string;
  subjects: Subject[];
  shortSummary: string;
  /** Markdown: "Quick recap" then one section per subject; statements link to their moments (#t=seconds). */
  longSummary: string;
  actionItems: ActionItems;
  speakerNames: SpeakerName[];
}
