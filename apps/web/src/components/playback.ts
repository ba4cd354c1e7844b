// Playback position shared between the player and the views that follow it, outside React state so a
// time update re-renders only the components that subscribe.
import { useSyncExternalStore } from 'react';

export interface PlaybackControls {
  seek(seconds: number, play?: boolean): void;
  toggle(): void;
  pause(): void;
  playRange?(from: number, to: number): void;
}

export class Playback {
  time = 0;
  playing = false;
  controls: PlaybackControls | null = null;
  private listeners = new Set<() => void>();

  set(time: number, playing: boolean) {
    if (time === this.time && playing === this.playing) return;
    this.time = time;
    this.playing = playing;
    for (const l of this.listeners) l();
  }

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  seek(seconds: number, play = true) {
    this.controls?.seek(seconds, play);
  }
}

export function usePlaybackValue<T>(playback: Playback, pick: (p: Playback) => T): T {
  return useSyncExternalStore(playback.subscribe, () => pick(playback));
}
