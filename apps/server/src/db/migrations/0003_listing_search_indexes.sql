-- Indexes for listing and search at scale (100 000+ transcripts).
--
-- Anonymous callers in public mode see anonymous and public transcripts. This partial index holds exactly
-- those rows, newest first, with the filter columns, so page 1 of the list and its count are index-only
-- scans that never read the wide transcript rows.
CREATE INDEX transcript_public_listing_idx ON transcript (created_at DESC, id DESC)
  INCLUDE (room_id, source_kind, change_seq)
  WHERE user_id IS NULL OR share_mode = 'public';

-- A signed-in user's own transcripts, newest first.
CREATE INDEX transcript_user_created_idx ON transcript (user_id, created_at DESC, id DESC);

-- The same rows by room, for the room filter of the list and of search.
CREATE INDEX transcript_public_room_idx ON transcript (room_id, created_at DESC, id DESC)
  INCLUDE (source_kind, change_seq)
  WHERE room_id IS NOT NULL AND (user_id IS NULL OR share_mode = 'public');
