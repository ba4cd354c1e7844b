// The long summary as Markdown. Every statement links to the moments it comes from with "#t=<seconds>"
// anchors, which the web app turns into seeks in the player.
import type { ActionItems, Point, Subject } from './types.ts';

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function timeLinks(timestamps: number[]): string {
  const unique = [...new Set(timestamps.map((t) => Math.max(0, Math.round(t))))].sort((a, b) => a - b).slice(0, 4);
  return unique.map((t) => `[${formatClock(t)}](#t=${t})`).join(' ');
}

function pointLine(p: Point): string {
  const links = timeLinks(p.timestamps);
  return `- ${p.text.trim()}${links ? ` ${links}` : ''}`;
}

export function renderLongSummary(recap: string, subjects: Subject[], actionItems?: ActionItems): string {
  const parts: string[] = ['## Quick recap', '', recap.trim()];
  for (const s of subjects) {
    parts.push('', `## ${s.title.trim()}`, '');
    if (s.summary.trim()) parts.push(s.summary.trim(), '');
    for (const p of s.points) parts.push(pointLine(p));
  }
  if (actionItems && (actionItems.decisions.length || actionItems.next_steps.length)) {
    parts.push('', '## Action items', '');
    for (const d of actionItems.decisions) parts.push(pointLine({ text: `**Decision:** ${d.decision}`, timestamps: d.timestamps }));
    for (const n of actionItems.next_steps) {
      const who = n.assigned_to ? ` — ${n.assigned_to}` : '';
      const when = n.deadline ? ` (by ${n.deadline})` : '';
      parts.push(pointLine({ text: `${n.task}${who}${when}`, timestamps: n.timestamps }));
    }
  }
  return parts.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
