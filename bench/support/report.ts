// What a benchmark module returns, the console table, and docs/benchmarks.md (one section per benchmark,
// replaced when that benchmark runs again, others kept).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';

export interface BenchRow {
  metric: string;
  value: string;
  target?: string;
  /** undefined when the row has no target. */
  pass?: boolean;
}

export interface BenchResult {
  /** Section heading in docs/benchmarks.md. */
  title: string;
  rows: BenchRow[];
  /** Setup and caveats, one paragraph each. */
  notes: string[];
}

export interface BenchModule {
  /** Short name to select it: `npm run bench -- <name>`. */
  name: string;
  run(): Promise<BenchResult>;
}

export function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average at start ${load}`;
}

export function table(rows: BenchRow[]): string {
  const head = ['metric', 'value', 'target', ''];
  const body = rows.map((r) => [r.metric, r.value, r.target ?? '', r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownSection(result: BenchResult, when: Date, host: string): string {
  const rows = result.rows.map((r) => `| ${r.metric} | ${r.value} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'ok' : '**missed**'} |`);
  return [
    `## ${result.title}`,
    '',
    `Measured ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${host}.`,
    '',
    '| metric | value | target | |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...result.notes.flatMap((n) => [n, '']),
  ].join('\n');
}

const HEADER = '# Benchmarks\n\nWritten by `npm run bench` (bench/run.ts); each section is replaced when its benchmark runs again.\n';

/** Replaces the sections of these results in `file`, keeping the others. */
export async function updateBenchmarksDoc(file: string, sections: Array<{ title: string; text: string }>): Promise<void> {
  const current = existsSync(file) ? await readFile(file, 'utf8') : HEADER;
  const parts = current.split(/^(?=## )/m);
  const header = parts[0].startsWith('## ') ? HEADER : parts[0];
  const kept = parts.filter((p) => p.startsWith('## '));
  for (const s of sections) {
    const at = kept.findIndex((p) => p.split('\n')[0] === `## ${s.title}`);
    if (at >= 0) kept[at] = s.text;
    else kept.push(s.text);
  }
  await writeFile(file, `${header.trimEnd()}\n\n${kept.map((k) => k.trimEnd()).join('\n\n')}\n`);
}
