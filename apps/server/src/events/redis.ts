// Event fan-out across processes through Redis pub/sub. Each process keeps one publishing connection and
// (once something listens) one subscribing connection; a Redis channel is subscribed while at least one
// local listener wants it. Channel names carry REDIS_PREFIX so deployments can share one Redis.
// Connection problems are logged and ioredis reconnects (and resubscribes) on its own: a Redis outage
// delays events, it never takes the process down.
import { Redis } from 'ioredis';
import type { EventBus, Listener, Message } from './bus.ts';

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class RedisEventBus implements EventBus {
  private readonly pub: Redis;
  private sub?: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Per channel, the tail of the subscribe/unsubscribe operations, so they apply in order. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly subscribed = new Set<string>();
  private lastErrorLog = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: Log = console,
    private readonly prefix = 'reflector',
  ) {
    this.pub = this.connect('publish');
  }

  private connect(role: string): Redis {
    const client = new Redis(this.url, {
      // Reconnect forever, with a capped delay: events resume when Redis is back. A publish waits for
      // at most a few reconnection attempts.
      retryStrategy: (times) => Math.min(times * 200, 5000),
      maxRetriesPerRequest: 3,
      connectionName: `reflector-events-${role}-${process.pid}`,
    });
    client.on('error', (err) => {
      // A reconnect loop emits an error per attempt; one line every 10 s is enough.
      if (Date.now() - this.lastErrorLog < 10_000) return;
      this.lastErrorLog = Date.now();
      this.log.warn({ err, role }, 'redis event bus connection problem');
    });
    return client;
  }

  private redisChannel(channel: string): string {
    return `${this.prefix}:${channel}`;
  }

  private subscriber(): Redis {
    if (!this.sub) {
      const sub = this.connect('subscribe');
      sub.on('message', (redisChannel: string, raw: string) => this.deliver(redisChannel, raw));
      this.sub = sub;
    }
    return this.sub;
  }

  private deliver(redisChannel: string, raw: string): void {
    const channel = redisChannel.slice(this.prefix.length + 1);
    const set = this.listeners.get(channel);
    if (!set?.size) return;
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch (err) {
      this.log.warn({ err, channel }, 'ignored an event that is not JSON');
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (err) {
        this.log.error({ err, channel }, 'event listener failed');
      }
    }
  }

  /**
   * Broadcasts a message. A Redis outage loses the live broadcast only (transcript events are stored
   * before they are published and replayed to late clients), so it is logged, not thrown at the caller.
   */
  async publish(channel: string, message: Message): Promise<void> {
    if (this.closed) return;
    try {
      await this.pub.publish(this.redisChannel(channel), JSON.stringify(message));
    } catch (err) {
      this.log.warn({ err, channel, event: message.event }, 'could not broadcast an event');
    }
  }

  async subscribe(channel: string, listener: Listener): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('event bus is closed');
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    await this.sync(channel);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const current = this.listeners.get(channel);
      current?.delete(listener);
      if (current && !current.size) this.listeners.delete(channel);
      await this.sync(channel);
    };
  }

  /** Brings the Redis subscription of `channel` in line with whether anyone listens to it. */
  private sync(channel: string): Promise<void> {
    const previous = this.pending.get(channel) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        if (this.closed) return;
        const wanted = !!this.listeners.get(channel)?.size;
        const redisChannel = this.redisChannel(channel);
        if (wanted && !this.subscribed.has(channel)) {
          await this.subscriber().subscribe(redisChannel);
          this.subscribed.add(channel);
        } else if (!wanted && this.subscribed.has(channel)) {
          this.subscribed.delete(channel);
          await this.sub?.unsubscribe(redisChannel);
        }
      });
    this.pending.set(channel, next);
    void next
      .finally(() => {
        if (this.pending.get(channel) === next) this.pending.delete(channel);
      })
      .catch(() => {});
    return next;
  }

  /** Channels this process is subscribed to in Redis (for tests and diagnostics). */
  activeChannels(): string[] {
    return [...this.subscribed];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await Promise.allSettled([...this.pending.values()]);
    await Promise.allSettled([quit(this.pub), this.sub ? quit(this.sub) : undefined]);
  }
}

/** Closes politely when Redis answers, and drops the connection when it does not within 2 s. */
async function quit(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.quit(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('quit timed out')), 2000)))]);
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
