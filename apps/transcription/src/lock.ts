// One inference at a time per engine: the models are not re-entrant and two parallel runs on a small machine
// only make both slower. Requests queue in arrival order.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export class EngineLocks {
  private readonly locks = new WeakMap<object, Mutex>();

  for(engine: object): Mutex {
    let m = this.locks.get(engine);
    if (!m) {
      m = new Mutex();
      this.locks.set(engine, m);
    }
    return m;
  }
}
