-- Pipeline runs and their stages: each stage is a job that any worker may run; the run records what is
-- done so the next stages start as soon as their inputs exist, and a crashed worker's stage resumes.

CREATE TABLE pipeline_run (
  id text PRIMARY KEY,
  transcript_id text NOT NULL REFERENCES transcript(id) ON DELETE CASCADE,
  kind text NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ended', 'error', 'superseded')),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX pipeline_run_transcript_idx ON pipeline_run (transcript_id, created_at);
CREATE INDEX pipeline_run_running_idx ON pipeline_run (status) WHERE status = 'running';

CREATE TABLE pipeline_stage (
  run_id text NOT NULL REFERENCES pipeline_run(id) ON DELETE CASCADE,
  stage text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed')),
  output jsonb,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  worker text,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (run_id, stage)
);

-- How the summary was written: 'llm' or 'extractive' (no LLM configured).
ALTER TABLE transcript ADD COLUMN summary_method text;

-- The number of speakers when people know it; diarization estimates it otherwise.
ALTER TABLE transcript ADD COLUMN speakers_expected integer CHECK (speakers_expected BETWEEN 1 AND 32);
