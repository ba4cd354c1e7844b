// The `reflector` command: one program whose role is chosen on the command line.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, readEnv } from './config.ts';

const HELP = `Usage: reflector <command> [options]

Roles (long-running):
  all             server + worker + beat in one process; serves the web app at /  (npm start)
  server          HTTP API, WebSockets, web app; applies pending migrations at start
  worker          runs pipelines and background jobs (needs REDIS_URL/REDIS_HOST to share work)
  beat            schedules periodic jobs (cleanup of public data, health pings)
  transcription   speech model service on PORT (default 8000): transcribe, diarize, translate

One-shot commands:
  migrate                       apply pending database migrations and exit
  models list|pull|verify|rm    manage downloadable speech models (see: reflector models --help)
  create-admin                  hash a password, or create/update a user (see: reflector create-admin --help)
  process FILE                  run the whole pipeline on a file without a server (see: reflector process --help)

Options:
  --port N        listen port (env PORT; server default 1250, transcription default 8000)
  --data-dir DIR  where embedded data lives (env DATA_DIR; default ./data)
  -h, --help      show this help

Configuration comes from the environment and from .env in the working directory; see the README.
`;

type Command = (argv: string[]) => Promise<number | void>;

async function role(name: 'all' | 'server' | 'worker' | 'beat' | 'migrate', argv: string[]): Promise<number | void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = readEnv();
  if (values.port) env.PORT = values.port;
  if (values['data-dir']) env.DATA_DIR = values['data-dir'];
  const config = loadConfig(env);
  const roles = await import('./roles.ts');
  return roles.runRole(name, config);
}

const commands: Record<string, Command> = {
  all: (a) => role('all', a),
  server: (a) => role('server', a),
  worker: (a) => role('worker', a),
  beat: (a) => role('beat', a),
  migrate: (a) => role('migrate', a),
  transcription: async (argv) => {
    const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write('Usage: reflector transcription [--port N]\nStarts the speech model service (default port 8000).\n');
      return 0;
    }
    const env = readEnv();
    if (values.port) env.PORT = values.port;
    const service = (await import('@reflector/transcription')) as Record<string, unknown>;
    const start = service.startTranscriptionService as ((env: Record<string, string | undefined>) => Promise<unknown>) | undefined;
    if (!start) throw new Error('the transcription service is not available in this build');
    await start(env);
  },
  models: async (argv) => {
    const speech = (await import('@reflector/speech')) as Record<string, unknown>;
    const run = speech.runModelsCommand as ((argv: string[]) => Promise<number>) | undefined;
    if (!run) throw new Error('the model manager is not available in this build');
    return run(argv);
  },
  'create-admin': async (argv) => (await import('./commands/create-admin.ts')).createAdminCommand(argv),
  process: async (argv) => (await import('./commands/process.ts')).processCommand(argv),
};

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`reflector: unknown command "${name}"\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  try {
    const code = await command(rest);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`reflector: ${err.message}\n`);
      process.exitCode = 78; // EX_CONFIG
      return;
    }
    const e = err as { code?: string; message: string };
    if (e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`reflector: ${e.message}\nRun "reflector ${name} --help".\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`reflector ${name}: ${e.message}\n`);
    process.exitCode = 1;
  }
}
