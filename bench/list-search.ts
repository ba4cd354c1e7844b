// List and search latency with 100 000 transcripts in PostgreSQL: a fresh database filled with one
// generate_series INSERT, a `reflector server` child process on it, and 200 timed requests per case.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { BenchModule, BenchResult, BenchRow } from './support/report.ts';
import { startServer } from './support/server.ts';

const ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_TRANSCRIPTS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const TARGET_P95_MS = 50;

const sqlArray = (items: string[]) => `ARRAY[${items.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')}]`;

const ADJECTIVES = ['Weekly', 'Quarterly', 'Urgent', 'Annual', 'Monthly', 'Kickoff', 'Follow-up', 'Planning', 'Design', 'Engineering', 'Sales', 'Marketing', 'Board', 'All-hands', 'Customer', 'Hiring', 'Security'];
const SUBJECTS = [
  'budget review', 'roadmap sync', 'product launch', 'sprint retrospective', 'pricing discussion', 'infrastructure migration', 'onboarding plan',
  'vendor evaluation', 'incident postmortem', 'release planning', 'design critique', 'customer feedback', 'quarterly goals', 'hiring pipeline',
  'security audit', 'data platform', 'mobile app', 'support escalation', 'partner update', 'conference prep', 'office move', 'legal review', 'analytics dashboard',
];
const SENTENCES = [
  'The team agreed to ship the first version before the end of the month.',
  'Maria raised a concern about the test coverage of the payment service.',
  'We reviewed the budget and found that travel costs are above plan.',
  'John will follow up with the vendor about the delayed hardware order.',
  'The customer asked for an export feature in the reporting module.',
  'Everyone agreed that the onboarding documentation needs a rewrite.',
  'The release is blocked by two open bugs in the checkout flow.',
  'Latency on the search page went down after the index change.',
  'The design team presented three options for the new landing page.',
  'We decided to postpone the migration until the holidays are over.',
  'Support tickets about login problems doubled since last week.',
  'Priya suggested running a short experiment before committing.',
  'The contract renewal needs approval from the finance department.',
  'Hiring for the two backend positions is on track.',
  'The marketing campaign brought more signups than expected.',
  'We need a clear owner for the monitoring and alerting work.',
  'The board wants a summary of risks before the next meeting.',
  'Tom walked the group through the new deployment pipeline.',
  'Action item: schedule a call with the legal team about the terms.',
  'The mobile app crashes on older devices when the camera opens.',
  'Our team velocity has been stable for the last three sprints.',
  'The data warehouse costs grew faster than the number of users.',
  'A customer in Germany asked about data residency options.',
  'We should remove the feature flag once the rollout is complete.',
  'The security review found no critical issues this quarter.',
  'Let us revisit the pricing tiers after the survey results arrive.',
  'The office move is planned for the second week of next month.',
  'Alex will prepare the slides for the conference talk.',
  'Two interns join the team on Monday and need laptops.',
  'The analytics dashboard shows a drop in weekly active users.',
  'We agreed to keep the meeting short and move details to the document.',
  'The partner integration is waiting for their API keys.',
  'Costs for the cloud account should be reviewed every month.',
  'Feedback from the beta users was mostly positive.',
  'The incident last Tuesday was caused by an expired certificate.',
  'We will measure the impact of the change over two weeks.',
  'Someone needs to update the roadmap in the shared drive.',
  'The quarterly goals were accepted with minor changes.',
  'Customer churn is lower than last year.',
  'The next sync is moved to Thursday morning.',
];
const SUMMARIES = [
  'The meeting covered progress on current work and the main risks.',
  'Decisions were made on scope, owners and the timeline.',
  'Budget and staffing were the main topics of the discussion.',
  'Several follow-ups were assigned with deadlines for next week.',
  'Customer feedback shaped the priorities for the coming sprint.',
  'The group reviewed metrics and agreed on the next experiments.',
  'Blocking issues were identified and escalated to the leads.',
];
export const COMMON_WORD = 'team';
export const RARE_WORD = 'zeppelin';

export function fillSql(rows: number): string {
  const n = SENTENCES.length;
  const m = SUMMARIES.length;
  return `
    INSERT INTO room (id, name, user_id)
      SELECT 'room-' || r, 'Room ' || r, 'user-' || r FROM generate_series(0, 19) r;
    INSERT INTO transcript (id, name, title, long_summary, transcript_text, created_at, user_id, share_mode, room_id, source_kind, status, duration)
    SELECT
      md5('bench' || i)::uuid::text,
      'Meeting ' || i,
      (${sqlArray(ADJECTIVES)})[1 + i % ${ADJECTIVES.length}] || ' ' || (${sqlArray(SUBJECTS)})[1 + (i / ${ADJECTIVES.length}) % ${SUBJECTS.length}],
      (SELECT string_agg((${sqlArray(SUMMARIES)})[1 + ((i * 7 + k * 3) % ${m})], ' ') FROM generate_series(1, 3) k),
      (SELECT string_agg((${sqlArray(SENTENCES)})[1 + ((i * 31 + k * 17 + k * k) % ${n})], ' ') FROM generate_series(1, 20) k)
        || CASE WHEN i % 1000 = 3 THEN ' The ${RARE_WORD} project was mentioned once.' ELSE '' END,
      now() - i * interval '7 minutes',
      CASE WHEN i % 10 < 6 THEN NULL ELSE 'user-' || (i % 50) END,
      CASE WHEN i % 10 = 6 THEN 'public' ELSE 'private' END,
      CASE WHEN i % 4 = 0 THEN 'room-' || (i % 20) ELSE NULL END,
      CASE i % 4 WHEN 0 THEN 'room' WHEN 1 THEN 'live' ELSE 'file' END,
      'ended',
      (600 + i % 3000) * 1000.0
    FROM generate_series(1, ${rows}) i;`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timeRequests(url: string, count: number): Promise<{ p50: number; p95: number; p99: number; mean: number; body: any }> {
  let body: any;
  for (let i = 0; i < 10; i++) await (await fetch(url)).arrayBuffer(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const text = await res.text();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
    if (i === 0) body = JSON.parse(text);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length, body };
}

async function run(): Promise<BenchResult> {
  const dbName = `reflector_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-bench-db-'));
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    // The server applies the migrations to the empty database at start.
    server = await startServer('server', { DATA_DIR: path.join(dir, 'data'), DATABASE_URL: dbUrl }, dir);
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const t0 = performance.now();
    await db.query(fillSql(ROWS));
    const fillSeconds = (performance.now() - t0) / 1000;
    await db.query('VACUUM ANALYZE transcript');
    await db.query('VACUUM ANALYZE room');
    const [{ common }] = (await db.query(`SELECT count(*)::int AS common FROM transcript WHERE search_vector_en @@ websearch_to_tsquery('english', $1)`, [COMMON_WORD])).rows;
    const [{ rare }] = (await db.query(`SELECT count(*)::int AS rare FROM transcript WHERE search_vector_en @@ websearch_to_tsquery('english', $1)`, [RARE_WORD])).rows;
    await db.end();

    const cases: Array<[string, string]> = [
      ['list, page 1', '/v1/transcripts'],
      ['list, room + source_kind filters', '/v1/transcripts?source_kind=room&room_id=room-4'],
      [`search, common word "${COMMON_WORD}" (${common} matches)`, `/v1/transcripts/search?q=${COMMON_WORD}`],
      [`search, rare word "${RARE_WORD}" (${rare} matches)`, `/v1/transcripts/search?q=${RARE_WORD}`],
    ];
    const rows: BenchRow[] = [{ metric: 'transcripts in the database', value: `${ROWS} (filled in ${fillSeconds.toFixed(0)} s)` }];
    for (const [name, p] of cases) {
      const r = await timeRequests(server.url + p, REQUESTS);
      const total = r.body.total;
      rows.push({
        metric: `${name}: p95`,
        value: `${r.p95.toFixed(1)} ms (p50 ${r.p50.toFixed(1)}, p99 ${r.p99.toFixed(1)}; total ${total})`,
        target: `< ${TARGET_P95_MS} ms`,
        pass: r.p95 < TARGET_P95_MS,
      });
    }
    return {
      title: 'List and search latency, 100 000 transcripts in PostgreSQL',
      rows,
      notes: [
        `A fresh PostgreSQL database gets ${ROWS} transcripts from one generate_series INSERT: titles from meeting names, a three-sentence long summary and a twenty-sentence transcript text (about 1 300 characters) drawn from ${SENTENCES.length} meeting sentences; 40 % have an owner (a tenth of them public), a quarter belong to one of 20 rooms. VACUUM ANALYZE follows the load, as autovacuum would.`,
        `A \`reflector server\` child process serves the API; ${REQUESTS} sequential anonymous requests per case (after 10 warm-up requests) are timed by the client, including HTTP. Anonymous callers in public mode see anonymous and public transcripts (70 % of the rows), so every count runs over that visibility condition.`,
      ],
    };
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
}

export const listSearchBench: BenchModule = { name: 'list-search', run };
