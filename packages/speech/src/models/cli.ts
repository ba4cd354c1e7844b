// `reflector models …`: list, pull, verify and remove downloadable speech models.
import { SpeechError } from '../types.ts';
import { MANIFEST, findBundle, type ModelBundle } from './manifest.ts';
import { pullModel, stderrProgress } from './pull.ts';
import { defaultModelsDir, listModels, removeModel, verifyBundle, readLock } from './store.ts';

const HELP = `Usage: reflector models <command> [options]

Commands:
  list                 show every known model, whether it is installed, its size and licence
  pull NAME            download, check and install a model (resumes an interrupted download)
  verify [NAME]        re-hash installed files and check their ONNX metadata (all installed models
                       when NAME is omitted); exits 1 when something is wrong
  rm NAME              delete an installed model

Options:
  --dir PATH           models directory (default: $MODELS_DIR, else $DATA_DIR/models, else ./data/models)
  --mirror URL         download from a mirror of the sherpa-onnx release assets ($MODELS_MIRROR_URL)
  --force              pull again even when the model is installed
  --json               machine-readable output for list and verify
  -h, --help           show this help

Hashes: most catalogue entries are not pinned yet, so pull records the sha256 of what it downloaded in
<dir>/<name>/manifest.lock.json and verify checks the files against that record from then on (and against
the catalogue's sha256 once an entry is pinned).`;

interface Parsed {
  command?: string;
  args: string[];
  dir?: string;
  mirror?: string;
  force: boolean;
  json: boolean;
  help: boolean;
}

function parse(argv: string[]): Parsed {
  const out: Parsed = { args: [], force: false, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') out.help = true;
    else if (a === '--force') out.force = true;
    else if (a === '--json') out.json = true;
    else if (a === '--dir' || a === '--mirror') {
      const v = argv[++i];
      if (!v) throw new SpeechError(`${a} needs a value`, 'bad_input');
      if (a === '--dir') out.dir = v;
      else out.mirror = v;
    } else if (a.startsWith('--dir=')) out.dir = a.slice(6);
    else if (a.startsWith('--mirror=')) out.mirror = a.slice(9);
    else if (a.startsWith('-')) throw new SpeechError(`unknown option ${a}`, 'bad_input');
    else if (!out.command) out.command = a;
    else out.args.push(a);
  }
  return out;
}

function human(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  return `${(bytes / 1024).toFixed(0)} kB`;
}

function bundleOrThrow(name: string | undefined, manifest: readonly ModelBundle[]): ModelBundle {
  if (!name) throw new SpeechError('missing model NAME (see `reflector models list`)', 'bad_input');
  const b = findBundle(name, manifest);
  if (!b) throw new SpeechError(`unknown model "${name}"; run \`reflector models list\` for the names`, 'bad_input');
  return b;
}

/** Runs `models …` with argv after the word "models"; returns the process exit code. */
export async function runModelsCommand(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; manifest?: readonly ModelBundle[] } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const manifest = io.manifest ?? MANIFEST;
  let p: Parsed;
  try {
    p = parse(argv);
  } catch (err) {
    stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (p.help || !p.command || p.command === 'help') {
    (p.help || p.command === 'help' ? stdout : stderr).write(`${HELP}\n`);
    return p.help || p.command === 'help' ? 0 : 2;
  }
  const modelsDir = p.dir ?? defaultModelsDir();
  try {
    switch (p.command) {
      case 'list': {
        const rows = await listModels(modelsDir, manifest);
        if (p.json) {
          stdout.write(JSON.stringify({ modelsDir, models: rows }, null, 2) + '\n');
          return 0;
        }
        stdout.write(`Models directory: ${modelsDir}\n\n`);
        const table = [
          ['NAME', 'KIND', 'STATUS', 'SIZE', 'LICENCE', 'LANGUAGES'],
          ...rows.map((r) => [
            r.name,
            r.kind,
            r.installed ? 'installed' : '-',
            (r.installed ? '' : '~') + human(r.bytes),
            r.licence,
            r.languages === 'any' ? 'any' : r.languages.length > 3 ? `${r.languages.length} languages` : r.languages.join(','),
          ]),
        ];
        const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
        for (const row of table) stdout.write(row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd() + '\n');
        stdout.write('\nInstall one with: reflector models pull NAME   (~ = approximate download size)\n');
        return 0;
      }
      case 'pull': {
        const bundle = bundleOrThrow(p.args[0], manifest);
        const res = await pullModel(bundle, { modelsDir, mirror: p.mirror, force: p.force, onProgress: stderrProgress(stderr) });
        if (res.alreadyInstalled) {
          stdout.write(`${bundle.name} is already installed in ${res.dir} (use --force to download it again)\n`);
          return 0;
        }
        stdout.write(`installed ${bundle.name} in ${res.dir}${res.resumedFrom ? ` (resumed at ${human(res.resumedFrom)})` : ''}\n`);
        stdout.write(
          bundle.sha256
            ? `sha256 ${res.lock.archiveSha256} matches the pinned value\n`
            : `sha256 ${res.lock.archiveSha256} recorded in ${res.dir}/manifest.lock.json (the catalogue has no pinned hash for this model yet)\n`,
        );
        stdout.write(`licence: ${bundle.licence} (${bundle.licenceUrl})\n`);
        return 0;
      }
      case 'verify': {
        let targets: ModelBundle[];
        if (p.args[0]) targets = [bundleOrThrow(p.args[0], manifest)];
        else {
          targets = [];
          for (const b of manifest) if (await readLock(modelsDir, b.name)) targets.push(b);
          if (!targets.length) {
            stdout.write(`no models installed in ${modelsDir}\n`);
            return 0;
          }
        }
        const reports = [];
        for (const b of targets) reports.push(await verifyBundle(modelsDir, b, { hash: 'always' }));
        if (p.json) stdout.write(JSON.stringify(reports, null, 2) + '\n');
        else
          for (const r of reports) {
            if (r.ok) stdout.write(`${r.name}: ok (${r.pinnedBy === 'manifest' ? 'matches the pinned sha256' : 'matches the hashes recorded at download'})\n`);
            else stdout.write(`${r.name}: FAILED\n${r.problems.map((x) => `  - ${x}\n`).join('')}`);
          }
        return reports.every((r) => r.ok) ? 0 : 1;
      }
      case 'rm': {
        const name = p.args[0];
        if (!name) throw new SpeechError('missing model NAME', 'bad_input');
        const existed = await removeModel(modelsDir, name);
        stdout.write(existed ? `removed ${name}\n` : `${name} was not installed\n`);
        return 0;
      }
      default:
        stderr.write(`unknown command "${p.command}"\n\n${HELP}\n`);
        return 2;
    }
  } catch (err) {
    stderr.write(`error: ${(err as Error).message}\n`);
    return err instanceof SpeechError && err.kind === 'bad_input' ? 2 : 1;
  }
}
