// The web app in a real browser against a real embedded server: upload a synthetic meeting, follow its
// processing, read, play and seek the transcript, export it, correct speakers, search for it, and time
// a three-hour transcript. Every page is saved under e2e/screenshots/.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shot, type TestBrowser } from './support/browser.ts';
import { makeMeeting, type TimedWord } from './support/meeting.ts';
import { seedLongTranscript, seedMeetingContent } from './support/seed.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from './support/server.ts';
import { setTranscriptStatus } from '../apps/server/src/events/transcript-events.ts';

let server: TestServer;
let browser: TestBrowser;
let work: string;
let meeting: { file: string; duration: number; words: TimedWord[] };
let transcriptId = '';

const page = () => browser.page;
const clock = async () => {
  const text = (await page().getByTestId('current-time').textContent()) ?? '0:00';
  const [m, s] = text.split(':').map(Number);
  return m * 60 + s;
};

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'reflector-e2e-media-'));
  meeting = makeMeeting(work);
  server = await startServer();
  browser = await openBrowser();
  page().on('pageerror', (err) => console.error('page error:', err.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('web app', () => {
  it('creates a transcript and uploads a meeting', async () => {
    const p = page();
    await p.goto(server.url);
    await p.waitForURL('**/transcripts/new');
    await expect.poll(() => p.getByRole('button', { name: 'Record a meeting' }).isDisabled()).toBe(true);
    await p.getByLabel('Name (optional)').fill('Lighthouse sync');
    await p.getByLabel('Spoken language').selectOption('en');
    await shot(p, '01-new');
    await p.getByRole('button', { name: 'Upload a file' }).click();
    await p.waitForURL(/\/transcripts\/[^/]+\/upload$/);
    transcriptId = p.url().split('/').at(-2)!;
    await p.getByRole('heading', { name: 'Upload a recording' }).waitFor();
    await shot(p, '02-upload');
    await p.getByTestId('file-input').setInputFiles(meeting.file);
    await p.waitForURL(/\/processing$|\/transcripts\/[^/]+$/, { timeout: 30_000 });
    await p.getByRole('heading', { name: 'Lighthouse sync' }).waitFor();
    await shot(p, '03-processing');
  });

  it('follows processing to the transcript page', async () => {
    const p = page();
    await p.waitForURL(new RegExp(`/transcripts/${transcriptId}$`), { timeout: 60_000 });
    // Topics, title and summaries come from the pipeline's later stages; seed them like the pipeline will.
    await seedMeetingContent(server.platform.ctx, transcriptId, meeting.words);
    await p.reload();
    await p.getByRole('heading', { name: 'Quarterly lighthouse budget' }).waitFor();
    await p.getByTestId('waveform').locator('div').first().waitFor();
    await expect.poll(() => p.getByTestId('topic').count()).toBe(2);
    await p.getByTestId('summary').getByText('Marketing costs grew by').waitFor();
    // Statements link to their moment: the pipeline's [m:ss](#t=seconds) becomes a seek button, not text.
    expect(await p.getByTestId('summary').getByRole('button', { name: /^Play from / }).count()).toBe(3);
    expect(await p.getByTestId('summary').textContent()).not.toContain('#t=');
    await p.locator('.action-list').getByText('Send the updated spreadsheet to the finance team').waitFor();
    await p.getByTestId('transcript-list').getByText('Speaker 1').first().waitFor();
    await shot(p, '04-transcript', true);
  });

  it('plays, seeks by topic and by word, and highlights the current word', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(clock, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await p.getByRole('button', { name: 'Pause' }).click();
    const second = meeting.words.find((w) => w.text.includes('Then'))!;
    await p.getByTestId('topic').nth(1).click();
    await expect.poll(clock, { timeout: 10_000 }).toBeGreaterThanOrEqual(Math.floor(second.start));
    await expect.poll(() => p.locator('.word-active').count(), { timeout: 10_000 }).toBe(1);
    await shot(p, '05-playing');
    await p.getByRole('button', { name: 'Pause' }).click();
    await p.getByTestId('transcript-list').getByText('Good', { exact: true }).click();
    await expect.poll(clock, { timeout: 10_000 }).toBeLessThan(Math.floor(second.start));
    await p.getByRole('button', { name: 'Pause' }).click();
  });

  it('shows the refusal in words when an anonymous visitor edits the title', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Edit title' }).click();
    await p.getByLabel('Title', { exact: true }).fill('Renamed by a visitor');
    await p.getByRole('button', { name: 'Save' }).click();
    const alert = p.getByRole('alert').filter({ hasText: 'The title was not saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/401|sign in|authenticated/i);
    await shot(p, '06-edit-refused');
    await p.getByRole('button', { name: 'Cancel' }).click();
  });

  it('exports every format', async () => {
    const p = page();
    await p.getByText('Export', { exact: true }).click();
    await shot(p, '07-export');
    const expectations: Record<string, RegExp> = {
      text: /Speaker 0: Good morning everyone/,
      'text-timestamped': /\[00:0\d\] Speaker 0: Good morning/,
      'webvtt-named': /^WEBVTT/,
      srt: /^1\r?\n00:00:0/,
      json: /"speaker_name": "Speaker 1"/,
      markdown: /# Quarterly lighthouse budget/,
    };
    for (const [format, re] of Object.entries(expectations)) {
      const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId(`download-${format}`).click()]);
      const file = await download.path();
      expect(readFileSync(file, 'utf8'), format).toMatch(re);
    }
    await p.getByRole('button', { name: 'Copy as Text', exact: true }).click();
    await expect.poll(() => p.evaluate(() => navigator.clipboard.readText())).toMatch(/Speaker 1: Thanks/);
    await p.keyboard.press('Escape');
    await p.getByText('Export', { exact: true }).click();
  });

  it('finds the meeting by full-text search with highlighted snippets', async () => {
    const p = page();
    await p.getByRole('link', { name: 'Browse' }).click();
    await p.getByLabel('Search transcripts').fill('spreadsheet');
    await p.getByRole('button', { name: 'Search', exact: true }).click();
    await p.waitForURL(/q=spreadsheet/);
    const result = p.getByTestId('result').filter({ hasText: 'Quarterly lighthouse budget' });
    await result.locator('.snippets mark').first().waitFor();
    expect(await result.locator('.snippets mark').first().textContent()).toBe('spreadsheet');
    await shot(p, '08-browse-search');
    await p.getByLabel('Source').selectOption('live');
    await p.getByText('Nothing matches').waitFor();
    expect(p.url()).toContain('source=live');
    await p.goBack();
    await result.waitFor();
  });

  it('lets the owner rename speakers, assign words and mark the transcript reviewed', async () => {
    const p = page();
    const res = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }) });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const [admin] = await server.platform.ctx.database.query<{ id: string }>('SELECT id FROM "user" WHERE email = $1', [ADMIN_EMAIL]);
    // Hand the uploaded meeting to the admin, as if they had uploaded it signed in; public so the audio plays.
    await server.platform.ctx.database.query(`UPDATE transcript SET user_id = $1, share_mode = 'public' WHERE id = $2`, [admin.id, transcriptId]);
    await p.evaluate((token) => localStorage.setItem('reflector.token', token), access_token);
    await p.goto(`${server.url}/transcripts/${transcriptId}/correct`);
    await p.getByRole('heading', { name: 'Correct speakers' }).waitFor();
    await shot(p, '09-correct');

    // Name speaker 0: the pipeline's diarization may already list it as a participant, or not.
    const speaker0 = p.getByLabel('Name of participant Speaker 0');
    if (await speaker0.count()) {
      await speaker0.fill('Alice Martin');
      await p.locator('.participant').filter({ has: speaker0 }).getByRole('button', { name: 'Rename' }).click();
    } else {
      await p.getByLabel('Name', { exact: true }).fill('Alice Martin');
      await p.getByLabel('For speaker').selectOption('0');
      await p.getByRole('button', { name: 'Name speaker 0' }).click();
    }
    await p.getByTestId('word-view').getByRole('button', { name: 'Alice Martin' }).first().waitFor();
    // Create a participant, then delete it.
    await p.getByLabel('Name', { exact: true }).fill('Carol');
    await p.getByRole('button', { name: 'Create participant' }).click();
    await p.getByLabel('Name of participant Carol').waitFor();
    await p.getByRole('button', { name: 'Delete participant Carol' }).click();
    await expect.poll(() => p.getByLabel('Name of participant Carol').count()).toBe(0);

    // Next topic with the keyboard, then give Speaker 1's first two words there ("Agreed. I") to Alice.
    await p.locator('body').click({ position: { x: 5, y: 5 } });
    await p.keyboard.press('ArrowRight');
    await p.getByText('Topic 2 of 2').waitFor();
    const view = p.getByTestId('word-view');
    await view.locator('.word', { hasText: 'Agreed.' }).click();
    await view.locator('.word', { hasText: /^ I$/ }).click({ modifiers: ['Shift'] });
    await expect.poll(() => p.getByTestId('selection').textContent()).toMatch(/^2 words selected/);
    await p.locator('.participant').filter({ has: p.getByLabel('Name of participant Alice Martin') }).getByRole('button', { name: 'Assign selection' }).click();
    await expect.poll(() => p.getByTestId('selection').textContent()).toBe('No words selected');
    // Alice's passage now runs on to "Agreed. I"; Speaker 1 starts at "will".
    await expect.poll(() => view.locator('.segment').last().textContent()).toMatch(/^Speaker 1\s*will send/);
    await shot(p, '10-correct-assigned');
    await p.getByRole('button', { name: /Done/ }).click();
    await p.waitForURL(new RegExp(`/transcripts/${transcriptId}$`));
    await p.getByText('Reviewed', { exact: true }).waitFor();
    await p.getByTestId('transcript-list').getByText('Alice Martin').first().waitFor();

    await p.getByRole('button', { name: 'Edit title' }).click();
    await p.getByLabel('Title', { exact: true }).fill('Lighthouse budget, Q3');
    await p.getByRole('button', { name: 'Save' }).click();
    await p.getByRole('heading', { name: 'Lighthouse budget, Q3' }).waitFor();
    await shot(p, '11-transcript-owner', true);
  });

  it('explains a refused upload in words', async () => {
    const p = page();
    await p.goto(`${server.url}/transcripts/new`);
    await p.getByRole('button', { name: 'Upload a file' }).click();
    await p.getByRole('heading', { name: 'Upload a recording' }).waitFor();
    const notMedia = path.join(work, 'notes.txt');
    writeFileSync(notMedia, 'these are meeting notes, not a recording\n'.repeat(100));
    await p.getByTestId('file-input').setInputFiles(notMedia);
    const alert = p.getByRole('alert').filter({ hasText: 'The upload failed' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/audio/i);
    await shot(p, '16-upload-refused');
  });

  it('fits a 360 px phone screen and has a dark theme', async () => {
    const p = page();
    await p.setViewportSize({ width: 360, height: 740 });
    await p.goto(`${server.url}/transcripts/${transcriptId}`);
    await p.getByRole('heading', { name: 'Lighthouse budget, Q3' }).waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(p, '12-transcript-phone', true);
    await p.goto(`${server.url}/browse`);
    await p.getByTestId('result').first().waitFor();
    await shot(p, '13-browse-phone', true);
    await p.setViewportSize({ width: 1280, height: 900 });
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.goto(`${server.url}/transcripts/${transcriptId}`);
    await p.getByRole('heading', { name: 'Lighthouse budget, Q3' }).waitFor();
    await p.getByTestId('waveform').locator('div').first().waitFor();
    await shot(p, '14-transcript-dark');
    await p.emulateMedia({ colorScheme: 'light' });
  });

  it('shows a processing failure with its reason and retries it', async () => {
    const p = page();
    // The pipeline cannot be made to fail on demand yet: mark the finished meeting as failed, as a crashed
    // engine would, then retry from the page.
    await setTranscriptStatus(server.platform.ctx, transcriptId, 'error', 'The transcription engine stopped: out of memory');
    await p.goto(`${server.url}/transcripts/${transcriptId}/processing`);
    await p.getByText('The transcription engine stopped: out of memory').waitFor();
    await shot(p, '17-processing-error');
    await p.getByRole('button', { name: 'Retry processing' }).click();
    await p.waitForURL(new RegExp(`/transcripts/${transcriptId}$`), { timeout: 60_000 });
    await p.getByTestId('waveform').locator('div').first().waitFor();
  });

  it('opens a three-hour transcript quickly and stays responsive', async () => {
    const p = page();
    const id = await seedLongTranscript(server.platform.ctx);
    // Three visits (the first with a cold cache for the page's code); each timed from navigation to the
    // first transcript row on screen, with the page's own clock showing where the time went.
    const visits: Array<{ usableMs: number; phases: Record<string, unknown> }> = [];
    for (let visit = 0; visit < 3; visit++) {
      const t0 = Date.now();
      await p.goto(`${server.url}/transcripts/${id}`);
      await p.getByTestId('transcript-list').locator('.segment').first().waitFor();
      const usableMs = Date.now() - t0;
      const phases = await p.evaluate(() => {
        const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const api = (part: string) => {
          const e = entries.find((r) => r.name.includes(part));
          return e ? `${Math.round(e.startTime)}→${Math.round(e.responseEnd)}` : 'n/a';
        };
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return {
          html: Math.round(nav.responseEnd),
          transcript: api('?transcript_format=text'),
          topics: api('/topics/with-words'),
          waveform: api('/audio/waveform'),
          listRendered: Math.round((window as unknown as { __transcriptReady: number }).__transcriptReady),
        };
      });
      visits.push({ usableMs, phases });
    }
    // Jump to the last topic: the list scrolls there and renders it; timed inside the page.
    const jumpMs = await p.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const list = document.querySelector('[data-testid="transcript-list"]')!;
          const start = performance.now();
          const found = () => Array.from(list.querySelectorAll('.segment-topic')).some((h) => h.textContent?.startsWith('Topic 60:'));
          const obs = new MutationObserver(() => {
            if (found()) {
              obs.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - start));
            }
          });
          obs.observe(list, { childList: true, subtree: true, characterData: true });
          (document.querySelectorAll('[data-testid="topic"]')[59] as HTMLElement).click();
        }),
    );
    const domRows = await p.getByTestId('transcript-list').locator('.segment').count();
    await shot(p, '15-long-transcript');
    for (const v of visits) console.log(`3-hour transcript (30000 words): usable after ${v.usableMs} ms; page clock (ms): ${JSON.stringify(v.phases)}`);
    console.log(`jump to the last topic: ${Math.round(jumpMs)} ms; ${domRows} segment rows in the DOM`);
    const best = Math.min(...visits.map((v) => v.usableMs));
    expect(best).toBeLessThan(5000);
    expect(domRows).toBeLessThan(80);
  });
});
