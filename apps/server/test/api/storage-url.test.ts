// URLs that let another service (the model service, a webhook receiver) fetch a stored object: signed
// /v1/storage URLs served by this server for local files, presigned URLs of the S3 server otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await platform?.stop();
});

/** The object's URL, pointed at the running test server (BASE_URL is only known once it listens). */
async function urlOf(key: string, expires?: number): Promise<string> {
  const url = new URL(await platform.ctx.storage.url(key, expires));
  if (platform.ctx.storage.kind === 'local') {
    const base = new URL(platform.url);
    url.host = base.host;
  }
  return url.toString();
}

describe(`storage URLs (${TEST_MODE})`, () => {
  it('serves the object, with byte ranges', async () => {
    await platform.ctx.storage.put('storage-url-test/audio.mp3', Buffer.from('ID3 pretend mp3 bytes'), { contentType: 'audio/mpeg' });
    const url = await urlOf('storage-url-test/audio.mp3', 120);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ID3 pretend mp3 bytes');
    const part = await fetch(url, { headers: { range: 'bytes=4-10' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('pretend');
    expect(part.headers.get('content-range')).toBe('bytes 4-10/21');
  });

  it('refuses the URL once it has expired', async () => {
    const url = await urlOf('storage-url-test/audio.mp3', 1);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(url)).status).toBe(403);
  });

  it('keeps /v1/storage out of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${platform.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/v1/storage'))).toBe(false);
  });

  it('answers 404 on /v1/storage when the objects are not local files', async () => {
    const res = await fetch(`${platform.url}/v1/storage/storage-url-test/audio.mp3?expires=9999999999&signature=x`);
    if (platform.ctx.storage.kind === 'local') expect(res.status).toBe(403);
    else expect(res.status).toBe(404);
  });
});
