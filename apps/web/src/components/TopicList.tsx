import type { TopicWithWords } from '../api/types.ts';
import { formatClock } from '../lib/time.ts';
import { usePlaybackValue, type Playback } from './playback.ts';

function activeTopic(topics: readonly TopicWithWords[], t: number): number {
  let found = -1;
  for (let i = 0; i < topics.length; i++) if (topics[i].timestamp <= t) found = i;
  return found;
}

export function TopicList({ topics, playback, onSelect }: { topics: readonly TopicWithWords[]; playback: Playback; onSelect(index: number): void }) {
  const active = usePlaybackValue(playback, (p) => activeTopic(topics, p.time));
  if (!topics.length) return <p className="hint">No topics yet.</p>;
  return (
    <ol className="topic-list" aria-label="Topics">
      {topics.map((topic, i) => (
        <li key={topic.id} className={i === active ? 'topic topic-active' : 'topic'}>
          <button type="button" className="topic-button" onClick={() => onSelect(i)} aria-current={i === active ? 'true' : undefined} data-testid="topic">
            <span className="topic-time">{formatClock(topic.timestamp)}</span>
            <span className="topic-title">{topic.title || 'Untitled topic'}</span>
          </button>
          {topic.summary && <p className="topic-summary">{topic.summary}</p>}
        </li>
      ))}
    </ol>
  );
}
