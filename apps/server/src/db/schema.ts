// Drizzle table definitions matching the committed SQL migrations in ./migrations.
import { bigint, boolean, doublePrecision, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type Word = { text: string; start: number; end: number; speaker: number; confidence?: number };
export type Topic = {
  id: string;
  title: string;
  summary: string;
  timestamp: number;
  duration: number | null;
  transcript: string;
  /** The topic's text in the target language, when the transcript is translated. */
  translation?: string | null;
  words: Word[];
};
export type Participant = { id: string; speaker: number | null; name: string; user_id: string | null };
export type StoredEvent = { event: string; data: unknown };
export type ActionItems = {
  decisions: Array<{ decision: string; rationale?: string | null; decided_by?: string | null; decided_by_participant_id?: string | null }>;
  next_steps: Array<{ task: string; assigned_to?: string | null; assigned_to_participant_id?: string | null; deadline?: string | null; context?: string | null }>;
};

export const transcripts = pgTable('transcript', {
  id: text('id').primaryKey(),
  name: text('name').notNull().default(''),
  status: text('status').notNull().default('idle'),
  locked: boolean('locked').notNull().default(false),
  duration: doublePrecision('duration').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  title: text('title'),
  shortSummary: text('short_summary'),
  longSummary: text('long_summary'),
  actionItems: jsonb('action_items').$type<ActionItems | null>(),
  topics: jsonb('topics').$type<Topic[]>().notNull().default([]),
  events: jsonb('events').$type<StoredEvent[]>().notNull().default([]),
  participants: jsonb('participants').$type<Participant[]>().notNull().default([]),
  sourceLanguage: text('source_language').notNull().default('en'),
  targetLanguage: text('target_language').notNull().default('en'),
  reviewed: boolean('reviewed').notNull().default(false),
  audioLocation: text('audio_location').notNull().default('local'),
  userId: text('user_id'),
  shareMode: text('share_mode').notNull().default('private'),
  meetingId: text('meeting_id'),
  recordingId: text('recording_id'),
  roomId: text('room_id'),
  zulipMessageId: integer('zulip_message_id'),
  sourceKind: text('source_kind').notNull().default('live'),
  audioDeleted: boolean('audio_deleted').notNull().default(false),
  webvtt: text('webvtt'),
  transcriptText: text('transcript_text'),
  error: text('error'),
  workflowRunId: text('workflow_run_id'),
  /** Storage key of the uploaded original, kept until processing succeeds. */
  uploadKey: text('upload_key'),
  /** Fields people edited by hand; reprocessing keeps them. */
  editedFields: jsonb('edited_fields').$type<string[]>().notNull().default([]),
  changeSeq: bigint('change_seq', { mode: 'number' }),
  /** 'llm' or 'extractive'. */
  summaryMethod: text('summary_method'),
  /** Number of speakers when known; diarization estimates it otherwise. */
  speakersExpected: integer('speakers_expected'),
});

export const users = pgTable('user', {
  id: text('id').primaryKey(),
  email: text('email'),
  authentikUid: text('authentik_uid'),
  passwordHash: text('password_hash'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const userApiKeys = pgTable('user_api_key', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  keyHash: text('key_hash').notNull(),
  name: text('name'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const rooms = pgTable('room', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  userId: text('user_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  zulipAutoPost: boolean('zulip_auto_post').notNull().default(false),
  zulipStream: text('zulip_stream').notNull().default(''),
  zulipTopic: text('zulip_topic').notNull().default(''),
  isLocked: boolean('is_locked').notNull().default(false),
  roomMode: text('room_mode').notNull().default('normal'),
  recordingType: text('recording_type').notNull().default('cloud'),
  recordingTrigger: text('recording_trigger').notNull().default('automatic-2nd-participant'),
  isShared: boolean('is_shared').notNull().default(false),
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  icsUrl: text('ics_url'),
  icsFetchInterval: integer('ics_fetch_interval').notNull().default(300),
  icsEnabled: boolean('ics_enabled').notNull().default(false),
  icsLastSync: ts('ics_last_sync'),
  icsLastEtag: text('ics_last_etag'),
  platform: text('platform').notNull().default('daily'),
  skipConsent: boolean('skip_consent').notNull().default(false),
});

export const calendarEvents = pgTable('calendar_event', {
  id: text('id').primaryKey(),
  roomId: text('room_id').notNull(),
  icsUid: text('ics_uid').notNull(),
  title: text('title'),
  description: text('description'),
  startTime: ts('start_time').notNull(),
  endTime: ts('end_time').notNull(),
  attendees: jsonb('attendees').$type<Array<{ email?: string; name?: string; status?: string; role?: string }> | null>(),
  location: text('location'),
  icsRawData: text('ics_raw_data'),
  lastSynced: ts('last_synced').notNull().defaultNow(),
  isDeleted: boolean('is_deleted').notNull().default(false),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const meetings = pgTable('meeting', {
  id: text('id').primaryKey(),
  roomName: text('room_name'),
  roomUrl: text('room_url'),
  hostRoomUrl: text('host_room_url'),
  startDate: ts('start_date'),
  endDate: ts('end_date'),
  roomId: text('room_id'),
  isLocked: boolean('is_locked').notNull().default(false),
  roomMode: text('room_mode').notNull().default('normal'),
  recordingType: text('recording_type').notNull().default('cloud'),
  recordingTrigger: text('recording_trigger').notNull().default('automatic-2nd-participant'),
  numClients: integer('num_clients').notNull().default(0),
  isActive: boolean('is_active').notNull().default(true),
  calendarEventId: text('calendar_event_id'),
  calendarMetadata: jsonb('calendar_metadata'),
  platform: text('platform').notNull().default('whereby'),
  dailyComposedVideoS3Key: text('daily_composed_video_s3_key'),
  dailyComposedVideoDuration: integer('daily_composed_video_duration'),
});

export const meetingConsents = pgTable('meeting_consent', {
  id: text('id').primaryKey(),
  meetingId: text('meeting_id').notNull(),
  userId: text('user_id'),
  consentGiven: boolean('consent_given').notNull(),
  consentTimestamp: ts('consent_timestamp').notNull().defaultNow(),
});

export const recordings = pgTable('recording', {
  id: text('id').primaryKey(),
  bucketName: text('bucket_name').notNull(),
  objectKey: text('object_key').notNull(),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
  status: text('status').notNull().default('pending'),
  meetingId: text('meeting_id'),
  trackKeys: jsonb('track_keys').$type<string[] | null>(),
});

export const dailyParticipantSessions = pgTable('daily_participant_session', {
  id: text('id').primaryKey(),
  meetingId: text('meeting_id').notNull(),
  roomId: text('room_id').notNull(),
  sessionId: text('session_id').notNull(),
  userId: text('user_id'),
  userName: text('user_name'),
  joinedAt: ts('joined_at').notNull(),
  leftAt: ts('left_at'),
});

export type TranscriptRow = typeof transcripts.$inferSelect;
