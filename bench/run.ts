// `npm run bench [-- name ...]`: runs the benchmark modules (all, or those named), prints a table per
// benchmark and updates docs/benchmarks.md. Add a module by appending it to `modules`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSearchBench } from './list-search.ts';
import { pipelineBench, pipelineLongBench } from './pipeline.ts';
import { speechBench, speechMemoryBench } from './speech.ts';
import { machine, markdownSection, table, updateBenchmarksDoc, type BenchModule } from './support/report.ts';
import { uploadMemoryBench } from './upload-memory.ts';

const modules: BenchModule[] = [speechBench, speechMemoryBench, uploadMemoryBench, listSearchBench, pipelineBench, pipelineLongBench];

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/benchmarks.md');

async function main(argv: string[]): Promise<number> {
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !modules.some((m) => m.name === w));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark: ${unknown.join(', ')}; available: ${modules.map((m) => m.name).join(', ')}\n`);
    return 2;
  }
  const selected = wanted.length ? modules.filter((m) => wanted.includes(m.name)) : modules;
  const host = machine();
  process.stdout.write(`Machine: ${host}\n\n`);
  const sections: Array<{ title: string; text: string }> = [];
  let failed = false;
  for (const mod of selected) {
    const started = new Date();
    process.stdout.write(`== ${mod.name} ...\n`);
    try {
      const result = await mod.run();
      process.stdout.write(`${result.title}\n${table(result.rows)}\n\n`);
      sections.push({ title: result.title, text: markdownSection(result, started, host) });
      if (result.rows.some((r) => r.pass === false)) failed = true;
    } catch (err) {
      failed = true;
      process.stdout.write(`${mod.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n\n`);
    }
  }
  if (sections.length) {
    await updateBenchmarksDoc(DOC, sections);
    process.stdout.write(`Results written to ${path.relative(process.cwd(), DOC)}\n`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
