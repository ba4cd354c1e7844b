// A small Markdown renderer producing React elements (never raw HTML, so summaries cannot inject markup).
// Covers what summaries use: headings, lists, paragraphs, bold, italics, code, links; timestamps such as
// [12:34], (1:02:03) and the server's [12:34](#t=754) links become buttons that seek the player.
import { Fragment, type ReactNode } from 'react';
import { formatClock, parseClock } from './time.ts';

const INLINE = /(\*\*[^*]+\*\*|\*[^*\s][^*]*\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\)|[[(](?:\d+:)?\d{1,3}:\d{2}[\])])/g;

function inline(text: string, onSeek: ((s: number) => void) | undefined, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(INLINE)) {
    const tok = m[0];
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}-${i++}`;
    if (tok.startsWith('**')) out.push(<strong key={k}>{tok.slice(2, -2)}</strong>);
    else if (tok.startsWith('`')) out.push(<code key={k}>{tok.slice(1, -1)}</code>);
    else if (tok.startsWith('*')) out.push(<em key={k}>{tok.slice(1, -1)}</em>);
    else if (tok.startsWith('[') && tok.includes('](')) {
      const [, label, href] = /^\[([^\]]+)\]\(([^)]+)\)$/.exec(tok) ?? [];
      // The server links each summary statement to its moment as [m:ss](#t=seconds).
      const moment = /^#t=(\d+(?:\.\d+)?)$/.exec(href ?? '');
      if (moment && onSeek) {
        const seconds = Number(moment[1]);
        out.push(
          <button key={k} type="button" className="timestamp" onClick={() => onSeek(seconds)} aria-label={`Play from ${formatClock(seconds)}`}>
            {formatClock(seconds)}
          </button>,
        );
      } else if (href && /^https?:\/\//.test(href)) {
        out.push(
          <a key={k} href={href} target="_blank" rel="noreferrer noopener">
            {label}
          </a>,
        );
      } else out.push(label ?? tok);
    } else {
      const seconds = parseClock(tok);
      if (seconds !== null && onSeek) {
        out.push(
          <button key={k} type="button" className="timestamp" onClick={() => onSeek(seconds)} aria-label={`Play from ${formatClock(seconds)}`}>
            {formatClock(seconds)}
          </button>,
        );
      } else out.push(tok);
    }
    last = at + tok.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ source, onSeek }: { source: string; onSeek?: (seconds: number) => void }) {
  const blocks: ReactNode[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flushPara = () => {
    if (para.length) blocks.push(<p key={`p${blocks.length}`}>{inline(para.join(' '), onSeek, `p${blocks.length}`)}</p>);
    para = [];
  };
  const flushList = () => {
    if (!list) return;
    const items = list.items.map((it, j) => <li key={j}>{inline(it, onSeek, `l${blocks.length}-${j}`)}</li>);
    blocks.push(list.ordered ? <ol key={`o${blocks.length}`}>{items}</ol> : <ul key={`u${blocks.length}`}>{items}</ul>);
    list = null;
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (!line.trim()) {
      flushPara();
      flushList();
    } else if (heading) {
      flushPara();
      flushList();
      const level = Math.min(heading[1].length + 2, 6);
      const H = `h${level}` as 'h3';
      blocks.push(<H key={`h${blocks.length}`}>{inline(heading[2], onSeek, `h${blocks.length}`)}</H>);
    } else if (bullet || numbered) {
      flushPara();
      const ordered = !bullet;
      if (list && list.ordered !== ordered) flushList();
      list ??= { ordered, items: [] };
      list.items.push((bullet ?? numbered)![1]);
    } else if (list && /^\s{2,}/.test(raw)) {
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return <Fragment>{blocks}</Fragment>;
}
