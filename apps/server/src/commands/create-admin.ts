// `reflector create-admin`: prints a password hash for ADMIN_PASSWORD_HASH, or creates/updates a user.
import { parseArgs } from 'node:util';
import { hashPassword } from '../auth/password.ts';
import { upsertPasswordUser } from '../auth/users.ts';
import { loadConfig, readEnv } from '../config.ts';
import { openDatabase } from '../db/index.ts';

const HELP = `Usage:
  reflector create-admin --hash-only --password P    print a hash for ADMIN_PASSWORD_HASH
  reflector create-admin --email E --password P      create that user, or set its password

The password may also come from the REFLECTOR_ADMIN_PASSWORD environment variable, which keeps it out of
the shell history. The database is the one DATABASE_URL (or DATA_DIR) points to.
`;

export async function createAdminCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'hash-only': { type: 'boolean' },
      email: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const password = values.password ?? process.env.REFLECTOR_ADMIN_PASSWORD;
  if (!password) {
    process.stderr.write(`create-admin: --password is required\n\n${HELP}`);
    return 2;
  }
  const hash = await hashPassword(password);
  if (values['hash-only']) {
    process.stdout.write(`${hash}\n`);
    return 0;
  }
  if (!values.email) {
    process.stderr.write(`create-admin: --email is required (or use --hash-only)\n\n${HELP}`);
    return 2;
  }
  const config = loadConfig(readEnv());
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, migrate: true });
  try {
    const user = await upsertPasswordUser(database, values.email, hash);
    process.stdout.write(`user ${user.email} (${user.id}) can now sign in with this password\n`);
  } finally {
    await database.close();
  }
  return 0;
}
