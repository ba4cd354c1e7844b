// Event fan-out between processes through the real Redis: two bus instances stand in for two processes.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/events/bus.ts';
import { RedisEventBus } from '../../src/events/redis.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const quiet = { warn: () => {}, error: () => {} };
const buses: RedisEventBus[] = [];
const prefix = () => `t${randomBytes(5).toString('hex')}`;

function bus(p: string): RedisEventBus {
  const b = new RedisEventBus(REDIS_URL, quiet, p);
  buses.push(b);
  return b;
}

function collector() {
  const got: Message[] = [];
  return { got, listener: (m: Message) => void got.push(m) };
}

async function until(fn: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Number of Redis clients subscribed to a channel, as Redis itself reports it. */
async function subscribers(channel: string): Promise<number> {
  const r = new Redis(REDIS_URL);
  try {
    const res = (await r.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return Number(res[1]);
  } finally {
    r.disconnect();
  }
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

describe('RedisEventBus', () => {
  it('delivers a message published by one process to listeners in another', async () => {
    const p = prefix();
    const a = bus(p);
    const b = bus(p);
    const one = collector();
    const two = collector();
    await b.subscribe('ts:abc', one.listener);
    await b.subscribe('ts:abc', two.listener);
    await a.publish('ts:abc', { event: 'STATUS', data: { value: 'processing' } });
    await a.publish('ts:other', { event: 'STATUS', data: { value: 'ended' } });
    await until(() => one.got.length === 1 && two.got.length === 1);
    expect(one.got[0]).toEqual({ event: 'STATUS', data: { value: 'processing' } });
    // Messages on other channels never arrive.
    await new Promise((r) => setTimeout(r, 100));
    expect(one.got).toHaveLength(1);
  });

  it('keeps one Redis subscription per channel and drops it with the last listener', async () => {
    const p = prefix();
    const a = bus(p);
    const b = bus(p);
    const one = collector();
    const two = collector();
    const off1 = await b.subscribe('user:u1', one.listener);
    const off2 = await b.subscribe('user:u1', two.listener);
    expect(await subscribers(`${p}:user:u1`)).toBe(1);
    await off1();
    expect(await subscribers(`${p}:user:u1`)).toBe(1);
    await a.publish('user:u1', { event: 'TRANSCRIPT_CREATED', data: { id: 'x' } });
    await until(() => two.got.length === 1);
    expect(one.got).toHaveLength(0);
    await off2();
    await off2(); // a second call is harmless
    expect(await subscribers(`${p}:user:u1`)).toBe(0);
    expect(b.activeChannels()).toEqual([]);
    await a.publish('user:u1', { event: 'TRANSCRIPT_DELETED', data: { id: 'x' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(two.got).toHaveLength(1);
  });

  it('orders a quick subscribe-unsubscribe-subscribe correctly', async () => {
    const p = prefix();
    const a = bus(p);
    const b = bus(p);
    const c = collector();
    const [off] = await Promise.all([b.subscribe('ts:q', () => {}), b.subscribe('ts:q', c.listener)]);
    await Promise.all([off(), b.subscribe('ts:q', () => {})]);
    expect(await subscribers(`${p}:ts:q`)).toBe(1);
    await a.publish('ts:q', { event: 'DURATION', data: { duration: 1 } });
    await until(() => c.got.length === 1);
  });

  it('isolates deployments that share a Redis through the prefix', async () => {
    const a = bus(prefix());
    const b = bus(prefix());
    const c = collector();
    await b.subscribe('ts:same', c.listener);
    await a.publish('ts:same', { event: 'STATUS', data: {} });
    await new Promise((r) => setTimeout(r, 150));
    expect(c.got).toHaveLength(0);
  });

  it('survives a listener that throws and a message that is not JSON', async () => {
    const p = prefix();
    const b = bus(p);
    const c = collector();
    await b.subscribe('ts:x', () => {
      throw new Error('listener bug');
    });
    await b.subscribe('ts:x', c.listener);
    const raw = new Redis(REDIS_URL);
    await raw.publish(`${p}:ts:x`, 'not json');
    await raw.publish(`${p}:ts:x`, JSON.stringify({ event: 'STATUS', data: { value: 'ended' } }));
    raw.disconnect();
    await until(() => c.got.length === 1);
  });

  it('resubscribes by itself after the connection is dropped', async () => {
    const p = prefix();
    const a = bus(p);
    const b = bus(p);
    const c = collector();
    await b.subscribe('ts:re', c.listener);
    // Kill the subscriber's connection from the server side, as a Redis restart would.
    const admin = new Redis(REDIS_URL);
    const clients = (await admin.call('CLIENT', 'LIST')) as string;
    const id = clients
      .split('\n')
      .find((line) => line.includes(`name=reflector-events-subscribe-${process.pid}`) && line.includes('sub=1'))
      ?.match(/id=(\d+)/)?.[1];
    expect(id).toBeDefined();
    await admin.call('CLIENT', 'KILL', 'ID', id!);
    admin.disconnect();
    const deadline = Date.now() + 5000;
    while (c.got.length === 0 && Date.now() < deadline) {
      await a.publish('ts:re', { event: 'STATUS', data: { value: 'ended' } });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(c.got.length).toBeGreaterThan(0);
  });

  it('logs instead of failing the caller when Redis is unreachable, and closes promptly', async () => {
    const warnings: string[] = [];
    const down = new RedisEventBus('redis://127.0.0.1:1/0', { warn: (_o, msg) => void warnings.push(msg), error: () => {} }, prefix());
    const t0 = Date.now();
    await down.publish('ts:nowhere', { event: 'STATUS', data: {} });
    expect(warnings).toContain('could not broadcast an event');
    await down.close();
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('rejects subscriptions after close and ignores publishes', async () => {
    const b = bus(prefix());
    await b.close();
    await b.publish('ts:z', { event: 'STATUS', data: {} });
    await expect(b.subscribe('ts:z', () => {})).rejects.toThrow(/closed/);
  });
});
