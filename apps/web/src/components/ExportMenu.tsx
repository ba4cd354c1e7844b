import { useEffect, useRef, useState } from 'react';
import { audioPath, fetchAudioSource } from '../api/audio.ts';
import { apiUrl, errorMessage } from '../api/client.ts';
import { getToken } from '../api/session.ts';
import { fetchExport } from '../api/queries.ts';
import type { TranscriptFormat } from '../api/types.ts';
import { toast } from './toasts.ts';

const FORMATS: Array<{ format: TranscriptFormat; label: string; ext: string; mime: string }> = [
  { format: 'text', label: 'Text', ext: 'txt', mime: 'text/plain' },
  { format: 'text-timestamped', label: 'Text with timestamps', ext: 'txt', mime: 'text/plain' },
  { format: 'webvtt-named', label: 'WebVTT', ext: 'vtt', mime: 'text/vtt' },
  { format: 'srt', label: 'SRT subtitles', ext: 'srt', mime: 'application/x-subrip' },
  { format: 'json', label: 'JSON', ext: 'json', mime: 'application/json' },
  { format: 'markdown', label: 'Markdown', ext: 'md', mime: 'text/markdown' },
];

async function render(id: string, format: TranscriptFormat): Promise<string> {
  const t = await fetchExport(id, format);
  return typeof t.transcript === 'string' ? t.transcript : JSON.stringify(t.transcript, null, 2);
}

function fileName(name: string, ext: string) {
  return `${name.replace(/[^\p{L}\p{N}_ -]+/gu, '').trim().replace(/\s+/g, '-').slice(0, 80) || 'transcript'}.${ext}`;
}

export function ExportMenu({ id, name, audio }: { id: string; name: string; audio: boolean }) {
  const [busy, setBusy] = useState<string | null>(null);
  const menu = useRef<HTMLDetailsElement>(null);

  // Closes like a menu: a click elsewhere or Escape (focus returns to the button).
  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      // Untrusted clicks are the download links this menu clicks itself.
      if (e.isTrusted && menu.current?.open && !menu.current.contains(e.target as Node)) menu.current.open = false;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && menu.current?.open) {
        menu.current.open = false;
        menu.current.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, []);

  const run = async (key: string, action: () => Promise<void>) => {
    setBusy(key);
    try {
      await action();
    } catch (err) {
      toast(`Export failed: ${(err as Error).message}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <details className="menu" ref={menu}>
      <summary className="button">Export</summary>
      <div className="menu-panel" role="group" aria-label="Export formats">
        <table>
          <tbody>
            {FORMATS.map((f) => (
              <tr key={f.format}>
                <th scope="row">{f.label}</th>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={busy !== null}
                    aria-label={`Copy as ${f.label}`}
                    onClick={() =>
                      run(`copy-${f.format}`, async () => {
                        const text = await render(id, f.format);
                        await navigator.clipboard.writeText(text);
                        toast(`Copied as ${f.label}`);
                      })
                    }
                  >
                    Copy
                  </button>
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={busy !== null}
                    aria-label={`Download as ${f.label}`}
                    data-testid={`download-${f.format}`}
                    onClick={() =>
                      run(`dl-${f.format}`, async () => {
                        const text = await render(id, f.format);
                        const url = URL.createObjectURL(new Blob([text], { type: `${f.mime};charset=utf-8` }));
                        const a = document.createElement('a');
                        a.href = url;
                        a.download = fileName(name, f.ext);
                        document.body.append(a);
                        a.click();
                        a.remove();
                        setTimeout(() => URL.revokeObjectURL(url), 10_000);
                      })
                    }
                  >
                    Download
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {audio && (
          <a
            className="button button-small"
            href={apiUrl(audioPath(id))}
            download
            onClick={(e) => {
              // A link cannot send Authorization: signed in, the download goes through a fresh signed URL.
              if (!getToken()) return;
              e.preventDefault();
              fetchAudioSource(id).then(
                (source) => {
                  const a = document.createElement('a');
                  a.href = source.url;
                  a.download = '';
                  document.body.append(a);
                  a.click();
                  a.remove();
                },
                (err: unknown) => toast(`The audio could not be downloaded: ${errorMessage(err)}`, 'error'),
              );
            }}
          >
            Download audio (MP3)
          </a>
        )}
      </div>
    </details>
  );
}
