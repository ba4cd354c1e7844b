// The transcript as a virtualised list of speaker segments: only the rows on screen exist in the DOM, so
// a 3-hour meeting (tens of thousands of words) scrolls and follows playback smoothly.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useImperativeHandle, useRef, useState, type MouseEvent, type Ref } from 'react';
import type { Participant, TopicWithWords, Word } from '../api/types.ts';
import { segmentOfWord, wordAt, type Flattened, type Segment } from '../lib/segments.ts';
import { speakerColour, speakerName } from '../lib/speakers.ts';
import { formatClock } from '../lib/time.ts';
import { usePlaybackValue, type Playback } from './playback.ts';

export interface TranscriptListHandle {
  scrollToSegment(index: number): void;
}

interface Props {
  flat: Flattened;
  topics: readonly TopicWithWords[];
  participants: readonly Participant[];
  playback: Playback;
  ref?: Ref<TranscriptListHandle>;
}

interface RowProps {
  segment: Segment;
  words: readonly Word[];
  name: string;
  topicTitle: string | null;
  active: number;
  onSeek(seconds: number): void;
}

const Row = memo(function Row({ segment, words, name, topicTitle, active, onSeek }: RowProps) {
  const onWordClick = (e: MouseEvent<HTMLElement>) => {
    const i = Number((e.target as HTMLElement).dataset.i);
    if (Number.isInteger(i) && words[i]) onSeek(words[i].start);
  };
  const spans = [];
  for (let i = segment.from; i < segment.to; i++) {
    spans.push(
      <span key={i} data-i={i} className={i === active ? 'word word-active' : 'word'} aria-current={i === active ? 'true' : undefined}>
        {words[i].text}
      </span>,
    );
  }
  return (
    <div className="segment-row">
      {topicTitle !== null && (
        <h3 className="segment-topic">
          <span>{topicTitle}</span>
        </h3>
      )}
      <div className="segment" style={{ ['--speaker' as string]: speakerColour(segment.speaker) }}>
        <div className="segment-meta">
          <span className="speaker-name">{name}</span>
          <button type="button" className="timestamp" onClick={() => onSeek(segment.start)} aria-label={`Play from ${formatClock(segment.start)}, ${name}`}>
            {formatClock(segment.start)}
          </button>
        </div>
        <p className="segment-text" onClick={onWordClick}>
          {spans}
        </p>
      </div>
    </div>
  );
});

export function TranscriptList({ flat, topics, participants, playback, ref }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const time = usePlaybackValue(playback, (p) => p.time);
  const playing = usePlaybackValue(playback, (p) => p.playing);
  const active = wordAt(flat.words, time);
  const activeSegment = active >= 0 ? segmentOfWord(flat.segments, active) : -1;
  const programmatic = useRef(false);

  const virtualizer = useVirtualizer({
    count: flat.segments.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => 64 + Math.ceil((flat.segments[i].to - flat.segments[i].from) / 14) * 24 + (flat.segments[i].topicStart ? 44 : 0),
    overscan: 6,
    getItemKey: (i) => flat.segments[i].key,
  });

  const scrollTo = (index: number) => {
    programmatic.current = true;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setTimeout(() => (programmatic.current = false), 250);
  };

  useImperativeHandle(ref, () => ({
    scrollToSegment(index: number) {
      setFollow(true);
      const box = scroller.current?.getBoundingClientRect();
      if (box && (box.top > window.innerHeight || box.bottom < 0)) scroller.current?.scrollIntoView({ block: 'nearest' });
      scrollTo(index);
    },
  }));

  useEffect(() => {
    if (follow && playing && activeSegment >= 0) scrollTo(activeSegment);
  }, [activeSegment, follow, playing]);

  const onSeek = (seconds: number) => playback.seek(seconds);
  const stopFollowing = () => {
    if (!programmatic.current && playing) setFollow(false);
  };

  if (!flat.segments.length) return <p className="hint">No words in this transcript yet.</p>;

  return (
    <div className="transcript-list-wrap">
      <div ref={scroller} className="transcript-list" style={{ height: virtualizer.getTotalSize() }} tabIndex={0} aria-label="Transcript" onWheel={stopFollowing} onTouchMove={stopFollowing} data-testid="transcript-list">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const seg = flat.segments[item.index];
            const topic = topics[seg.topicIndex];
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="virtual-row" style={{ transform: `translateY(${item.start}px)` }}>
                <Row
                  segment={seg}
                  words={flat.words}
                  name={speakerName(participants, seg.speaker)}
                  topicTitle={seg.topicStart ? topic?.title || 'Untitled topic' : null}
                  active={item.index === activeSegment ? active : -1}
                  onSeek={onSeek}
                />
              </div>
            );
          })}
        </div>
      </div>
      {!follow && playing && (
        <button type="button" className="button follow-button" onClick={() => { setFollow(true); if (activeSegment >= 0) scrollTo(activeSegment); }}>
          Follow playback
        </button>
      )}
    </div>
  );
}
