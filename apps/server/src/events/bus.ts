// Publish/subscribe between the processes of the platform. Channels: "ts:<transcript id>" and
// "user:<user id>". In one process it is a plain emitter; with Redis, messages fan out through pub/sub.
import { EventEmitter } from 'node:events';

export type Message = { event: string; data: unknown };
export type Listener = (message: Message) => void;

export interface EventBus {
  publish(channel: string, message: Message): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(channel: string, listener: Listener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: Message): Promise<void> {
    this.emitter.emit(channel, message);
  }

  async subscribe(channel: string, listener: Listener): Promise<() => Promise<void>> {
    this.emitter.on(channel, listener);
    return async () => {
      this.emitter.off(channel, listener);
    };
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
