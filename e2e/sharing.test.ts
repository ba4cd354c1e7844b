// Sharing and API keys in a real browser against a real embedded server: the owner's Share dialog
// changes who can open a transcript (checked from a second browser, signed out and signed in as another
// user), the link is copied, a refused change is rolled back, and API keys are created, used and deleted.
// Screenshots go to e2e/screenshots/.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../apps/server/src/auth/password.ts';
import { upsertPasswordUser } from '../apps/server/src/auth/users.ts';
import { transcripts } from '../apps/server/src/db/schema.ts';
import { setTopics } from '../apps/server/src/transcripts/content.ts';
import { audioKey, waveformKey } from '../apps/server/src/transcripts/files.ts';
import { createTranscript } from '../apps/server/src/transcripts/repository.ts';
import { openBrowser, SCREENSHOTS, shot, type TestBrowser } from './support/browser.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from './support/server.ts';

const OTHER_EMAIL = 'colleague@example.org';
const OTHER_PASSWORD = 'another long passphrase';

let server: TestServer;
let owner: TestBrowser;
let visitor: TestBrowser;
let adminId = '';
let ownerToken = '';
let transcriptId = '';
let tone: Buffer;

async function signIn(email: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function setSession(p: Page, token: string | null) {
  if (!p.url().startsWith(server.url)) await p.goto(`${server.url}/browse`);
  await p.evaluate((t) => (t ? localStorage.setItem('reflector.token', t) : localStorage.removeItem('reflector.token')), token);
}

/** A finished meeting with topics, a waveform and eight seconds of audio, owned by `userId` or anonymous. */
async function seedTranscript(title: string, userId: string | null, shareMode: 'private' | 'semi-private' | 'public' = 'private'): Promise<string> {
  const ctx = server.platform.ctx;
  const t = await createTranscript(ctx, { name: title, source_kind: 'file', user_id: userId, share_mode: shareMode });
  const words = 'We agreed to ship the search page next week and to review the design on Monday.'
    .split(' ')
    .map((w, i) => ({ text: ` ${w}`, start: i * 0.5, end: i * 0.5 + 0.4, speaker: i < 8 ? 0 : 1 }));
  await setTopics(ctx, t.id, [{ title: 'Release plan', summary: 'The search page ships next week; the design review is on Monday.', timestamp: 0, words }]);
  const peaks = Array.from({ length: 255 }, (_, i) => 0.2 + 0.6 * Math.abs(Math.sin(i / 9)));
  await ctx.storage.put(waveformKey(t.id), Buffer.from(JSON.stringify(peaks)), { contentType: 'application/json' });
  await ctx.storage.put(audioKey(t.id), tone, { contentType: 'audio/mpeg' });
  await ctx.database.db.update(transcripts).set({ status: 'ended', duration: 8000, title }).where(eq(transcripts.id, t.id));
  return t.id;
}

const dbShareMode = async (id: string) => (await server.platform.ctx.database.query<{ share_mode: string }>('SELECT share_mode FROM transcript WHERE id = $1', [id]))[0].share_mode;

beforeAll(async () => {
  tone = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=8', '-ac', '1', '-b:a', '48k', '-f', 'mp3', 'pipe:1']);
  server = await startServer();
  await upsertPasswordUser(server.platform.ctx.database, OTHER_EMAIL, await hashPassword(OTHER_PASSWORD, 1000));
  [{ id: adminId }] = await server.platform.ctx.database.query<{ id: string }>('SELECT id FROM "user" WHERE email = $1', [ADMIN_EMAIL]);
  ownerToken = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  transcriptId = await seedTranscript('Release planning', adminId);
  owner = await openBrowser();
  visitor = await openBrowser();
  for (const b of [owner, visitor]) b.page.on('pageerror', (err) => console.error('page error:', err.message));
}, 240_000);

afterAll(async () => {
  await owner?.close();
  await visitor?.close();
  await server?.stop();
});

describe('sharing a transcript', () => {
  it('gives the owner a Share dialog that opens with the current mode and closes with Escape', async () => {
    const p = owner.page;
    await setSession(p, ownerToken);
    await p.goto(`${server.url}/transcripts/${transcriptId}`);
    await p.getByRole('heading', { name: 'Release planning' }).waitFor();
    await p.getByTestId('access').getByText('Access: Private — only you').waitFor();
    await p.getByRole('button', { name: 'Share' }).click();
    const dialog = p.getByRole('dialog', { name: 'Share “Release planning”' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: 'Private — only you' }).isChecked()).toBe(true);
    // Focus starts on the chosen mode.
    expect(await p.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('private');
    expect(await dialog.getByTestId('share-who').textContent()).toMatch(/^Only you can open this transcript/);
    expect(await dialog.getByTestId('share-link').inputValue()).toBe(`${server.url}/transcripts/${transcriptId}`);
    await shot(p, 'sharing-01-dialog-private');
    await p.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Share');

    // On a 360 px phone in the dark theme the dialog fits the screen.
    await p.setViewportSize({ width: 360, height: 740 });
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.getByRole('button', { name: 'Share' }).click();
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await shot(p, 'sharing-07-dialog-phone-dark');
    await p.keyboard.press('Escape');
    await p.emulateMedia({ colorScheme: 'light' });
    await p.setViewportSize({ width: 1280, height: 900 });
  });

  it('makes the transcript public: a signed-out browser opens the link', async () => {
    const p = owner.page;
    await p.getByRole('button', { name: 'Share' }).click();
    const dialog = p.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'Anyone with the link' }).check();
    await dialog.getByTestId('share-who').getByText('Anyone who has the link can open this transcript, without signing in.').waitFor();
    await expect.poll(() => dbShareMode(transcriptId)).toBe('public');
    await expect.poll(() => dialog.getByText('Saving…').count()).toBe(0);

    await dialog.getByRole('button', { name: 'Copy link' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    const link = await p.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(`${server.url}/transcripts/${transcriptId}`);
    await shot(p, 'sharing-02-dialog-public-copied');
    await dialog.screenshot({ path: path.join(SCREENSHOTS, 'sharing-02-dialog-alone.png') });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await p.getByTestId('access').getByText('Access: Anyone with the link').waitFor();

    const v = visitor.page;
    await v.goto(link);
    await v.getByRole('heading', { name: 'Release planning' }).waitFor();
    await v.getByTestId('transcript-list').getByText('ship the search page', { exact: false }).waitFor();
    // A visitor is not the owner: no Share button, no access line.
    expect(await v.getByRole('button', { name: 'Share' }).count()).toBe(0);
    expect(await v.getByTestId('access').count()).toBe(0);
    await shot(v, 'sharing-03-visitor-public');
  });

  it('limits the transcript to signed-in users, then to the owner alone', async () => {
    const p = owner.page;
    const v = visitor.page;
    const link = `${server.url}/transcripts/${transcriptId}`;
    await p.getByRole('button', { name: 'Share' }).click();
    await p.getByRole('dialog').getByRole('radio', { name: 'Signed-in users with the link' }).check();
    await expect.poll(() => dbShareMode(transcriptId)).toBe('semi-private');
    await p.getByRole('dialog').getByTestId('share-who').getByText(/^Anyone signed in to this Reflector can open the link/).waitFor();

    await v.goto(link);
    await v.getByTestId('not-shared').waitFor();
    expect(await v.getByTestId('not-shared').getByRole('link', { name: 'sign in' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/transcripts/${transcriptId}`)}`);
    await shot(v, 'sharing-04-visitor-signed-out-refused');

    // Another user, signed in: may open it, and is not offered the Share button.
    await setSession(v, await signIn(OTHER_EMAIL, OTHER_PASSWORD));
    await v.goto(link);
    await v.getByRole('heading', { name: 'Release planning' }).waitFor();
    expect(await v.getByRole('button', { name: 'Share' }).count()).toBe(0);

    await p.getByRole('dialog').getByRole('radio', { name: 'Private — only you' }).check();
    await expect.poll(() => dbShareMode(transcriptId)).toBe('private');
    await v.reload();
    await v.getByRole('heading', { name: 'This transcript is not shared with you' }).waitFor();
    await v.getByText('Its owner keeps it private. Ask them to share it with you.').waitFor();
    await shot(v, 'sharing-05-visitor-signed-in-refused');
    await setSession(v, null);
    await p.keyboard.press('Escape');
  });

  it('puts the previous mode back and says why when the server refuses the change', async () => {
    const p = owner.page;
    // The page still shows the owner's controls, but the transcript has meanwhile passed to another user.
    const [other] = await server.platform.ctx.database.query<{ id: string }>('SELECT id FROM "user" WHERE email = $1', [OTHER_EMAIL]);
    await server.platform.ctx.database.query('UPDATE transcript SET user_id = $1 WHERE id = $2', [other.id, transcriptId]);
    try {
      await p.getByRole('button', { name: 'Share' }).click();
      const dialog = p.getByRole('dialog');
      // click, not check: the refusal may put the old mode back before the click's own check of the state.
      await dialog.getByRole('radio', { name: 'Anyone with the link' }).click();
      // Said in the dialog, and in a toast that stays after the dialog closes.
      const alert = dialog.getByRole('alert').filter({ hasText: 'Sharing was not changed to “Anyone with the link”' });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/Not authorized \(403\)/);
      await p.locator('.toast-error').filter({ hasText: 'Sharing was not changed to “Anyone with the link”' }).waitFor();
      await expect.poll(() => dialog.getByRole('radio', { name: 'Private — only you' }).isChecked()).toBe(true);
      expect(await dbShareMode(transcriptId)).toBe('private');
      await shot(p, 'sharing-06-refused-rolled-back');
      await p.keyboard.press('Escape');
    } finally {
      await server.platform.ctx.database.query('UPDATE transcript SET user_id = $1 WHERE id = $2', [adminId, transcriptId]);
    }
  });

  it('shows that a transcript without an owner is public, with no Share button', async () => {
    const id = await seedTranscript('Open standup', null);
    const p = owner.page;
    await p.goto(`${server.url}/transcripts/${id}`);
    await p.getByRole('heading', { name: 'Open standup' }).waitFor();
    await p.getByTestId('access').getByText('Public — no owner; anyone with the link can open it').waitFor();
    expect(await p.getByRole('button', { name: 'Share' }).count()).toBe(0);
  });
});

describe('API keys', () => {
  it('asks a signed-out visitor to sign in', async () => {
    const v = visitor.page;
    await setSession(v, null);
    await v.goto(`${server.url}/settings/api-keys`);
    await v.getByRole('heading', { name: 'API keys' }).waitFor();
    await v.getByText('You need to sign in to manage API keys.').waitFor();
    expect(await v.locator('main').getByRole('link', { name: 'sign in' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent('/settings/api-keys')}`);
    expect(await v.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    await shot(v, 'apikeys-01-signed-out');
  });

  it('creates a key shown once, which works until it is deleted', async () => {
    const p = owner.page;
    await p.goto(`${server.url}/settings/api-keys`);
    await p.getByText('You have no API keys.').waitFor();
    await p.getByText(`curl -H "X-API-Key: YOUR_KEY" ${server.url}/v1/transcripts`).waitFor();
    await p.getByLabel('Name (optional)').fill('Nightly export');
    await p.getByRole('button', { name: 'Create key' }).click();
    const box = p.getByTestId('new-key');
    await box.getByText('Copy your new key “Nightly export” now: it will not be shown again.').waitFor();
    const key = await box.getByTestId('new-key-value').inputValue();
    expect(key.length).toBeGreaterThanOrEqual(20);
    await box.getByRole('button', { name: 'Copy', exact: true }).click();
    await box.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await p.getByTestId('api-key').filter({ hasText: 'Nightly export' }).waitFor();
    await shot(p, 'apikeys-02-created', true);

    // Shown once: gone after dismissing, and not on the page again after a reload.
    await box.getByRole('button', { name: 'I have copied it' }).click();
    expect(await p.content()).not.toContain(key);
    await p.reload();
    await p.getByTestId('api-key').filter({ hasText: 'Nightly export' }).waitFor();
    expect(await p.content()).not.toContain(key);

    // The key acts as its owner: it reads the owner's private transcript and the owner's keys.
    const asKey = (url: string) => fetch(`${server.url}${url}`, { headers: { 'X-API-Key': key } });
    expect((await asKey('/v1/transcripts')).status).toBe(200);
    expect(((await (await asKey('/v1/me')).json()) as { sub: string }).sub).toBe(adminId);
    expect((await asKey(`/v1/transcripts/${transcriptId}`)).status).toBe(200);
    expect((await asKey('/v1/user/api-keys')).status).toBe(200);

    const row = p.getByTestId('api-key').filter({ hasText: 'Nightly export' });
    await row.getByRole('button', { name: 'Delete Nightly export' }).click();
    const confirm = p.getByRole('dialog', { name: 'Delete the key “Nightly export”?' });
    await confirm.waitFor();
    await shot(p, 'apikeys-03-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await p.getByText('You have no API keys.').waitFor();

    // A deleted key is refused everywhere, even where an anonymous caller would be let in.
    for (const p of ['/v1/user/api-keys', '/v1/me', `/v1/transcripts/${transcriptId}`, '/v1/transcripts']) {
      const r = await asKey(p);
      expect(r.status, p).toBe(401);
      expect(await r.json()).toEqual({ detail: 'Invalid API key' });
    }
  });
});
