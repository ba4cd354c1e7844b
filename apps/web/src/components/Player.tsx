// Waveform player: wavesurfer.js drawing the server's precomputed waveform (no decoding in the browser)
// over a media element streaming the mp3 with range requests; topics appear as markers. Signed in, the
// mp3 comes through a short-lived signed URL, renewed before it runs out (while paused) or when the
// browser's next request is refused for it (while playing), keeping the position.
import { useEffect, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import { fetchAudioSource, isStale, renewIn, type AudioSource } from '../api/audio.ts';
import { errorMessage } from '../api/client.ts';
import { formatClock } from '../lib/time.ts';
import { usePlaybackValue, type Playback } from './playback.ts';

export interface Marker {
  id: string;
  start: number;
  title: string;
}

interface Props {
  /** The transcript whose recording plays. */
  transcriptId: string;
  peaks: number[];
  duration: number;
  markers: Marker[];
  playback: Playback;
  onMarker?(id: string): void;
}

const RATES = [0.75, 1, 1.25, 1.5, 2];

function themeColours() {
  const css = getComputedStyle(document.documentElement);
  return {
    waveColor: css.getPropertyValue('--wave').trim() || '#9aa5c4',
    progressColor: css.getPropertyValue('--wave-progress').trim() || '#4f6bed',
    cursorColor: css.getPropertyValue('--text').trim() || '#222',
    marker: css.getPropertyValue('--marker').trim() || 'rgba(240, 160, 40, 0.9)',
  };
}

export function Player({ transcriptId, peaks, duration, markers, playback, onMarker }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const regions = useRef<RegionsPlugin | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rate, setRate] = useState(1);
  // Regions placed before wavesurfer knows the duration all land at 0 s: markers wait for this.
  const [ready, setReady] = useState(false);
  const time = usePlaybackValue(playback, (p) => p.time);
  const playing = usePlaybackValue(playback, (p) => p.playing);
  const onMarkerRef = useRef(onMarker);
  onMarkerRef.current = onMarker;
  const [initialSource, setInitialSource] = useState<AudioSource | null>(null);

  useEffect(() => {
    let cancelled = false;
    setInitialSource(null);
    setError(null);
    fetchAudioSource(transcriptId).then(
      (s) => !cancelled && setInitialSource(s),
      (err: unknown) => !cancelled && setError(`The audio cannot be played: ${errorMessage(err)}`),
    );
    return () => {
      cancelled = true;
    };
  }, [transcriptId]);

  useEffect(() => {
    if (!container.current || !initialSource) return;
    let source = initialSource;
    let renewing: Promise<void> | null = null;
    let renewTimer: ReturnType<typeof setTimeout> | undefined;
    let destroyed = false;
    let mediaPlaying = false;
    const media = new Audio();
    media.preload = 'metadata';
    media.crossOrigin = 'anonymous';
    media.src = source.url;
    const reg = RegionsPlugin.create();
    const colours = themeColours();
    const instance = WaveSurfer.create({
      container: container.current,
      media,
      peaks: [peaks.length ? peaks : [0]],
      duration,
      height: 72,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      normalize: true,
      dragToSeek: true,
      waveColor: colours.waveColor,
      progressColor: colours.progressColor,
      cursorColor: colours.cursorColor,
      plugins: [reg],
    });
    ws.current = instance;
    setReady(false);
    instance.on('ready', () => setReady(true));
    if (instance.getDuration() > 0) setReady(true);
    regions.current = reg;
    const update = () => playback.set(instance.getCurrentTime(), instance.isPlaying());
    instance.on('timeupdate', update);
    instance.on('play', update);
    instance.on('pause', update);
    media.addEventListener('play', () => (mediaPlaying = true));
    media.addEventListener('pause', () => (mediaPlaying = false));
    instance.on('finish', update);
    instance.on('interaction', update);
    const failed = (why: string) => {
      setError(why);
      playback.set(instance.getCurrentTime(), false);
    };
    const playFailed = (err: Error) => {
      if (err.name === 'AbortError') return; // a newer seek or pause replaced this play request
      failed(media.error ? 'The audio cannot be played: the server has no playable audio for this transcript, or refused it.' : `Playback failed: ${err.message}`);
    };
    /** Moves to a fresh URL at the same position, playing on if asked. */
    const renew = (play: boolean) => {
      renewing ??= (async () => {
        const at = media.currentTime;
        try {
          const next = await fetchAudioSource(transcriptId);
          if (destroyed) return;
          source = next;
          setError(null);
          media.src = next.url;
          media.currentTime = at;
          scheduleRenewal();
          if (play) await instance.play().catch(playFailed);
        } catch (err) {
          if (!destroyed) failed(`The audio cannot be played: ${errorMessage(err)}`);
        } finally {
          renewing = null;
        }
      })();
      return renewing;
    };
    // A paused player gets its new URL before the old one runs out; a playing one keeps its open
    // connection and renews when the browser's next request is refused (the error handler below).
    const scheduleRenewal = () => {
      clearTimeout(renewTimer);
      const wait = renewIn(source);
      if (wait === null) return;
      renewTimer = setTimeout(() => {
        if (!mediaPlaying) void renew(false);
      }, wait);
    };
    scheduleRenewal();
    if (isStale(source)) void renew(false);
    media.addEventListener('error', () => {
      if (destroyed || renewing) return;
      if (isStale(source)) {
        void renew(mediaPlaying);
        return;
      }
      const code = media.error?.code;
      failed(code === 4 ? 'The audio cannot be played: the server has no playable audio for this transcript, or refused it.' : 'The audio could not be loaded; check the connection and try again.');
    });
    reg.on('region-clicked', (region, e) => {
      e.stopPropagation();
      instance.setTime(region.start);
      void instance.play();
      onMarkerRef.current?.(region.id);
    });
    playback.controls = {
      seek(seconds, play = true) {
        instance.setTime(Math.max(0, seconds));
        update();
        if (isStale(source)) void renew(play);
        else if (play) void instance.play().catch(playFailed);
      },
      toggle() {
        if (!mediaPlaying && isStale(source)) void renew(true);
        else void instance.playPause().catch(playFailed);
      },
      pause() {
        instance.pause();
      },
    };
    // Follow theme changes (toggle or system preference).
    const recolour = () => {
      const c = themeColours();
      instance.setOptions({ waveColor: c.waveColor, progressColor: c.progressColor, cursorColor: c.cursorColor });
    };
    const observer = new MutationObserver(recolour);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', recolour);
    return () => {
      destroyed = true;
      clearTimeout(renewTimer);
      observer.disconnect();
      mq.removeEventListener('change', recolour);
      playback.controls = null;
      instance.destroy();
      media.removeAttribute('src');
      media.load();
      ws.current = null;
    };
  }, [initialSource, transcriptId, peaks, duration, playback]);

  useEffect(() => {
    const reg = regions.current;
    if (!reg || !ready) return;
    reg.clearRegions();
    const colour = themeColours().marker;
    const css = getComputedStyle(document.documentElement);
    // The waveform lives in a shadow root, out of reach of the stylesheet: labels carry their own style.
    // With many topics the labels would pile up; the markers alone remain, titled for hover.
    const labelled = markers.length <= 12;
    for (const m of markers) {
      const label = document.createElement('span');
      label.textContent = labelled ? m.title : '';
      label.title = m.title;
      Object.assign(label.style, {
        display: 'inline-block',
        width: 'max-content',
        fontSize: '11px',
        lineHeight: '14px',
        padding: '0 4px',
        marginTop: '-16px',
        whiteSpace: 'nowrap',
        maxWidth: '160px',
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        color: css.getPropertyValue('--text').trim(),
        cursor: 'pointer',
      });
      reg.addRegion({ id: m.id, start: m.start, color: colour, content: label, drag: false, resize: false });
    }
  }, [markers, ready]);

  useEffect(() => {
    ws.current?.setPlaybackRate(rate, true);
  }, [rate]);

  return (
    <div className="player" role="group" aria-label="Audio player">
      <div className="player-controls">
        <button type="button" className="button button-primary play-button" onClick={() => playback.controls?.toggle()} aria-label={playing ? 'Pause' : 'Play'}>
          {playing ? '❚❚' : '▶'}
        </button>
        <span className="player-time" aria-live="off">
          <span data-testid="current-time">{formatClock(time)}</span> / {formatClock(duration)}
        </span>
        <label className="player-rate">
          <span className="visually-hidden">Playback speed</span>
          <select value={rate} onChange={(e) => setRate(Number(e.target.value))}>
            {RATES.map((r) => (
              <option key={r} value={r}>
                {r}×
              </option>
            ))}
          </select>
        </label>
      </div>
      <div ref={container} className="waveform" data-testid="waveform" />
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
