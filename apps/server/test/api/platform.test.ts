import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';

describe(`platform basics (${TEST_MODE})`, () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ workers: 0 });
  });
  afterAll(async () => p?.stop());

  it('answers /health', async () => {
    const r = await api(p.url, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'healthy' });
  });

  it('exposes Prometheus metrics', async () => {
    await api(p.url, 'GET', '/health');
    const r = await api(p.url, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toContain('process_resident_memory_bytes');
    expect(r.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/health"/);
  });

  it('serves an OpenAPI 3.1 document and the docs page', async () => {
    const r = await api(p.url, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toContain('/health');
    const docs = await fetch(`${p.url}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<html');
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const r = await api(p.url, 'GET', '/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ detail: 'Not Found' });
  });

  it('uses the configured backends', () => {
    if (TEST_MODE === 'distributed') {
      expect(p.ctx.database.kind).toBe('postgres');
      expect(p.ctx.storage.kind).toBe('aws');
      expect(p.ctx.jobs.kind).toBe('bullmq');
    } else {
      expect(p.ctx.database.kind).toBe('pglite');
      expect(p.ctx.storage.kind).toBe('local');
      expect(p.ctx.jobs.kind).toBe('inprocess');
    }
  });
});
