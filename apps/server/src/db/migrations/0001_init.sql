-- Initial schema: transcripts, users, API keys, rooms, meetings, consent, recordings,
-- calendar events and participant sessions.

CREATE SEQUENCE transcript_change_seq AS bigint;

CREATE TABLE "user" (
  id text PRIMARY KEY,
  email text,
  authentik_uid text UNIQUE,
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_email_lower_idx ON "user" (lower(email));

CREATE TABLE user_api_key (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
  key_hash text NOT NULL UNIQUE,
  name text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_api_key_user_id_idx ON user_api_key (user_id);

CREATE TABLE room (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  user_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  zulip_auto_post boolean NOT NULL DEFAULT false,
  zulip_stream text NOT NULL DEFAULT '',
  zulip_topic text NOT NULL DEFAULT '',
  is_locked boolean NOT NULL DEFAULT false,
  room_mode text NOT NULL DEFAULT 'normal',
  recording_type text NOT NULL DEFAULT 'cloud',
  recording_trigger text NOT NULL DEFAULT 'automatic-2nd-participant',
  is_shared boolean NOT NULL DEFAULT false,
  webhook_url text,
  webhook_secret text,
  ics_url text,
  ics_fetch_interval integer NOT NULL DEFAULT 300,
  ics_enabled boolean NOT NULL DEFAULT false,
  ics_last_sync timestamptz,
  ics_last_etag text,
  platform text NOT NULL DEFAULT 'daily',
  skip_consent boolean NOT NULL DEFAULT false
);
CREATE INDEX room_is_shared_idx ON room (is_shared);
CREATE INDEX room_ics_enabled_idx ON room (ics_enabled);

CREATE TABLE calendar_event (
  id text PRIMARY KEY,
  room_id text NOT NULL REFERENCES room(id) ON DELETE CASCADE,
  ics_uid text NOT NULL,
  title text,
  description text,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  attendees jsonb,
  location text,
  ics_raw_data text,
  last_synced timestamptz NOT NULL DEFAULT now(),
  is_deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (room_id, ics_uid)
);
CREATE INDEX calendar_event_room_start_idx ON calendar_event (room_id, start_time);
CREATE INDEX calendar_event_not_deleted_idx ON calendar_event (room_id, start_time) WHERE NOT is_deleted;

CREATE TABLE meeting (
  id text PRIMARY KEY,
  room_name text,
  room_url text,
  host_room_url text,
  start_date timestamptz,
  end_date timestamptz,
  room_id text REFERENCES room(id) ON DELETE CASCADE,
  is_locked boolean NOT NULL DEFAULT false,
  room_mode text NOT NULL DEFAULT 'normal',
  recording_type text NOT NULL DEFAULT 'cloud',
  recording_trigger text NOT NULL DEFAULT 'automatic-2nd-participant',
  num_clients integer NOT NULL DEFAULT 0,
  is_active boolean NOT NULL DEFAULT true,
  calendar_event_id text REFERENCES calendar_event(id) ON DELETE SET NULL,
  calendar_metadata jsonb,
  platform text NOT NULL DEFAULT 'whereby',
  daily_composed_video_s3_key text,
  daily_composed_video_duration integer
);
CREATE INDEX meeting_room_id_idx ON meeting (room_id);
CREATE INDEX meeting_active_idx ON meeting (is_active, end_date);

CREATE TABLE meeting_consent (
  id text PRIMARY KEY,
  meeting_id text NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
  user_id text,
  consent_given boolean NOT NULL,
  consent_timestamp timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_consent_meeting_idx ON meeting_consent (meeting_id);

CREATE TABLE recording (
  id text PRIMARY KEY,
  bucket_name text NOT NULL,
  object_key text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'pending',
  meeting_id text,
  track_keys jsonb
);
CREATE INDEX recording_meeting_id_idx ON recording (meeting_id);

CREATE TABLE daily_participant_session (
  id text PRIMARY KEY,
  meeting_id text NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
  room_id text NOT NULL REFERENCES room(id) ON DELETE CASCADE,
  session_id text NOT NULL,
  user_id text,
  user_name text,
  joined_at timestamptz NOT NULL,
  left_at timestamptz
);
CREATE INDEX daily_participant_session_meeting_left_idx ON daily_participant_session (meeting_id, left_at);
CREATE INDEX daily_participant_session_room_idx ON daily_participant_session (room_id);

-- A session that has ended stays ended: left_at cannot change once set.
CREATE FUNCTION daily_participant_session_keep_left_at() RETURNS trigger AS $$
BEGIN
  IF OLD.left_at IS NOT NULL AND NEW.left_at IS DISTINCT FROM OLD.left_at THEN
    RAISE EXCEPTION 'left_at cannot be changed once set';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER daily_participant_session_left_at
  BEFORE UPDATE ON daily_participant_session
  FOR EACH ROW EXECUTE FUNCTION daily_participant_session_keep_left_at();

CREATE TABLE transcript (
  id text PRIMARY KEY,
  name text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'idle',
  locked boolean NOT NULL DEFAULT false,
  duration double precision NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  title text,
  short_summary text,
  long_summary text,
  action_items jsonb,
  topics jsonb NOT NULL DEFAULT '[]'::jsonb,
  events jsonb NOT NULL DEFAULT '[]'::jsonb,
  participants jsonb NOT NULL DEFAULT '[]'::jsonb,
  source_language text NOT NULL DEFAULT 'en',
  target_language text NOT NULL DEFAULT 'en',
  reviewed boolean NOT NULL DEFAULT false,
  audio_location text NOT NULL DEFAULT 'local',
  user_id text,
  share_mode text NOT NULL DEFAULT 'private',
  meeting_id text,
  recording_id text,
  room_id text,
  zulip_message_id integer,
  source_kind text NOT NULL DEFAULT 'live' CHECK (source_kind IN ('room', 'live', 'file')),
  audio_deleted boolean NOT NULL DEFAULT false,
  webvtt text,
  transcript_text text,
  error text,
  workflow_run_id text,
  upload_key text,
  edited_fields jsonb NOT NULL DEFAULT '[]'::jsonb,
  change_seq bigint NOT NULL,
  search_vector_en tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(long_summary, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(transcript_text, '')), 'C')
  ) STORED
);
CREATE INDEX transcript_recording_id_idx ON transcript (recording_id);
CREATE INDEX transcript_user_id_idx ON transcript (user_id);
CREATE INDEX transcript_created_at_idx ON transcript (created_at);
CREATE INDEX transcript_user_recording_idx ON transcript (user_id, recording_id);
CREATE INDEX transcript_room_id_idx ON transcript (room_id);
CREATE INDEX transcript_source_kind_idx ON transcript (source_kind);
CREATE INDEX transcript_room_created_idx ON transcript (room_id, created_at);
CREATE INDEX transcript_change_seq_idx ON transcript (change_seq);
CREATE INDEX transcript_status_idx ON transcript (status);
CREATE INDEX transcript_search_idx ON transcript USING gin (search_vector_en);

-- Every insert and update takes the next value of the global sequence, so clients can sync
-- incrementally with change_seq_from.
CREATE FUNCTION transcript_bump_change_seq() RETURNS trigger AS $$
BEGIN
  NEW.change_seq := nextval('transcript_change_seq');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER transcript_change_seq_trigger
  BEFORE INSERT OR UPDATE ON transcript
  FOR EACH ROW EXECUTE FUNCTION transcript_bump_change_seq();
