// Database connection: a PostgreSQL server when DATABASE_URL is set, otherwise embedded
// PostgreSQL (PGlite) stored under DATA_DIR. Both run the same SQL migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';
import { migrate } from './migrate.ts';

export type Db = PgDatabase<any, typeof schema>;

export interface Database {
  db: Db;
  /** Runs raw SQL with $1-style parameters and returns the rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` on one dedicated connection (session-level locks, multi-statement scripts). */
  session<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface Session {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters. */
  exec(script: string): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Apply pending migrations after connecting (server and migrate roles). */
  migrate?: boolean;
  /** Embedded database kept in memory only (one-shot commands). */
  inMemory?: boolean;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  let database: Database;
  if (opts.databaseUrl) {
    const pg = (await import('pg')).default;
    // Return bigint columns (change_seq, counts) as numbers: they stay far below 2^53.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const db = drizzle(pool, { schema }) as unknown as Db;
    database = {
      db,
      kind: 'postgres',
      async query(text, params = []) {
        const r = await pool.query(text, params as unknown[]);
        return r.rows;
      },
      async session(fn) {
        const client = await pool.connect();
        try {
          return await fn({
            query: async (text, params = []) => (await client.query(text, params as unknown[])).rows,
            exec: async (script) => {
              await client.query(script);
            },
          });
        } finally {
          client.release();
        }
      },
      transaction(fn) {
        return this.session(async (s) => {
          await s.exec('BEGIN');
          try {
            const result = await fn(s);
            await s.exec('COMMIT');
            return result;
          } catch (err) {
            await s.exec('ROLLBACK');
            throw err;
          }
        });
      },
      close: () => pool.end(),
    };
  } else {
    const dir = opts.inMemory ? 'memory://' : path.join(opts.dataDir, 'pgdata');
    if (!opts.inMemory) mkdirSync(dir, { recursive: true });
    const { PGlite, types } = await import('@electric-sql/pglite');
    const client = await PGlite.create(dir, { parsers: { [types.INT8]: (v: string) => Number(v) } });
    const { drizzle } = await import('drizzle-orm/pglite');
    const db = drizzle(client, { schema }) as unknown as Db;
    database = {
      db,
      kind: 'pglite',
      async query(text, params = []) {
        const r = await client.query(text, params as unknown[]);
        return r.rows as any[];
      },
      session: (fn) =>
        fn({
          query: async (text, params = []) => (await client.query(text, params as unknown[])).rows as any[],
          exec: async (script) => {
            await client.exec(script);
          },
        }),
      // PGlite has one connection: its own transaction() keeps other queries out until it ends.
      transaction: (fn) =>
        client.transaction((tx) =>
          fn({
            query: async (text, params = []) => (await tx.query(text, params as unknown[])).rows as any[],
            exec: async (script) => {
              await tx.exec(script);
            },
          }),
        ),
      close: () => client.close(),
    };
  }
  await database.db.execute(sql`select 1`);
  if (opts.migrate) await migrate(database);
  return database;
}

export { schema };
