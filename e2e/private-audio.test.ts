// A private recording in a real browser: the signed-in owner's player streams the mp3 through a signed
// audio URL (an <audio> element cannot send Authorization), renews that URL before it runs out while
// paused, and carries on from the same position (the browser's clock is moved forward to get there); the
// Export menu downloads it the same way.
// Screenshots go to e2e/screenshots/.
import { execFileSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcripts } from '../apps/server/src/db/schema.ts';
import { setTopics } from '../apps/server/src/transcripts/content.ts';
import { audioKey, waveformKey } from '../apps/server/src/transcripts/files.ts';
import { createTranscript } from '../apps/server/src/transcripts/repository.ts';
import { openBrowser, shot, type TestBrowser } from './support/browser.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let browser: TestBrowser;
let token = '';
let id = '';
const requests: Request[] = [];

const seconds = async () => {
  const [m, s] = ((await browser.page.getByTestId('current-time').textContent()) ?? '0:00').split(':').map(Number);
  return m * 60 + s;
};
const tokensMinted = () => requests.filter((r) => r.method() === 'POST' && r.url().endsWith(`/v1/transcripts/${id}/audio/token`)).length;
const mp3Tokens = () =>
  requests
    .filter((r) => new URL(r.url()).pathname === `/v1/transcripts/${id}/audio/mp3`)
    .map((r) => new URL(r.url()).searchParams.get('token'));

beforeAll(async () => {
  const tone = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=20', '-ac', '1', '-b:a', '48k', '-f', 'mp3', 'pipe:1']);
  server = await startServer({ PUBLIC_MODE: 'false' });
  const ctx = server.platform.ctx;
  const [{ id: adminId }] = await ctx.database.query<{ id: string }>('SELECT id FROM "user" WHERE email = $1', [ADMIN_EMAIL]);
  const t = await createTranscript(ctx, { name: 'Private board meeting', source_kind: 'file', user_id: adminId, share_mode: 'private' });
  id = t.id;
  const words = 'The board approved the budget and asked for a report on the new office by the end of the month.'
    .split(' ')
    .map((w, i) => ({ text: ` ${w}`, start: i, end: i + 0.8, speaker: i < 10 ? 0 : 1 }));
  await setTopics(ctx, id, [{ title: 'Budget approval', summary: 'The budget is approved; a report on the new office is due.', timestamp: 0, words }]);
  const peaks = Array.from({ length: 255 }, (_, i) => 0.2 + 0.6 * Math.abs(Math.sin(i / 7)));
  await ctx.storage.put(waveformKey(id), Buffer.from(JSON.stringify(peaks)), { contentType: 'application/json' });
  await ctx.storage.put(audioKey(id), tone, { contentType: 'audio/mpeg' });
  await ctx.database.db.update(transcripts).set({ status: 'ended', duration: 20_000, title: 'Private board meeting' }).where(eq(transcripts.id, id));
  const res = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
  browser = await openBrowser();
  browser.page.on('pageerror', (err) => console.error('page error:', err.message));
  browser.page.on('request', (r) => requests.push(r));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('playing a private recording', () => {
  it('is refused without credentials', async () => {
    expect((await fetch(`${server.url}/v1/transcripts/${id}/audio/mp3`)).status).toBe(403);
  });

  it('plays for the signed-in owner through a signed URL, renewed before it expires, at the same position', async () => {
    const p = browser.page;
    await p.clock.install();
    await p.goto(`${server.url}/browse`);
    await p.evaluate((t) => localStorage.setItem('reflector.token', t), token);
    await p.goto(`${server.url}/transcripts/${id}`);
    await p.getByRole('heading', { name: 'Private board meeting' }).waitFor();
    await p.getByTestId('waveform').locator('div').first().waitFor();
    await expect.poll(tokensMinted).toBe(1);

    await p.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(seconds, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await p.getByRole('button', { name: 'Pause', exact: true }).click();
    const first = mp3Tokens();
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((t) => t && t.split('.').length === 3)).toBe(true);
    expect(new Set(first).size).toBe(1);
    expect(await p.getByRole('alert').count()).toBe(0);
    await shot(p, 'private-audio-01-playing-owner');
    const at = await seconds();

    // Fourteen minutes later (a minute before the 15-minute token runs out) the paused player has a new URL.
    await p.clock.fastForward('14:05');
    await expect.poll(tokensMinted).toBe(2);
    await expect.poll(async () => new Set(mp3Tokens()).size).toBe(2);
    expect(await seconds()).toBe(at);

    await p.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(seconds, { timeout: 15_000 }).toBeGreaterThanOrEqual(at + 2);
    await p.getByRole('button', { name: 'Pause', exact: true }).click();
    const latest = mp3Tokens().at(-1)!;
    expect(latest).not.toBe(first[0]);
    expect(await p.getByRole('alert').count()).toBe(0);
    await shot(p, 'private-audio-02-after-renewal');
  });

  it('downloads the private mp3 from the Export menu through a signed URL', async () => {
    const p = browser.page;
    await p.getByText('Export', { exact: true }).click();
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'Download audio (MP3)' }).click()]);
    expect(new URL(download.url()).searchParams.get('token')).toBeTruthy();
    expect(download.suggestedFilename()).toBe(`recording_${id.split('-')[0]}.mp3`);
    expect(await download.failure()).toBeNull();
  });
});
