import Redis from 'ioredis';

/** One fixed-window counter: at most `limit` counted events per `windowMs`. */
export interface Counter {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface CounterState {
  hits: number;
  /** Until the window (and so the count) ends. */
  ttlMs: number;
}

/**
 * Where the abuse counters live: Redis when it is set (so that limits hold across instances),
 * else this process's memory. Windows are fixed: the first hit starts one.
 */
export abstract class AttemptCounters {
  /** Adds one to each counter, atomically per counter, and returns the new states in order. */
  abstract increment(counters: readonly Counter[]): Promise<CounterState[]>;
  /** Takes back one hit from each counter that still exists (a reservation that was not used). */
  abstract decrement(keys: readonly string[]): Promise<void>;
  abstract reset(key: string): Promise<void>;
  /** The counters' states as they are, counting nothing (a counter never hit has 0 hits). */
  abstract peek(counters: readonly Counter[]): Promise<CounterState[]>;
}

interface Window {
  hits: number;
  endsAt: number;
}

/** One instance only. Expired windows are dropped as the map grows, so it stays small. */
export class MemoryAttemptCounters extends AttemptCounters {
  private readonly windows = new Map<string, Window>();
  private nextSweepAt = 0;

  increment(counters: readonly Counter[]): Promise<CounterState[]> {
    const now = Date.now();
    this.sweep(now);
    return Promise.resolve(counters.map(({ key, windowMs }) => {
      let window = this.windows.get(key);
      if (!window || window.endsAt <= now) {
        window = { hits: 0, endsAt: now + windowMs };
        this.windows.set(key, window);
      }
      window.hits += 1;
      return { hits: window.hits, ttlMs: window.endsAt - now };
    }));
  }

  decrement(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window && window.hits > 0) window.hits -= 1;
    }
    return Promise.resolve();
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  peek(counters: readonly Counter[]): Promise<CounterState[]> {
    const now = Date.now();
    return Promise.resolve(counters.map(({ key }) => {
      const window = this.windows.get(key);
      return window && window.endsAt > now ? { hits: window.hits, ttlMs: window.endsAt - now } : { hits: 0, ttlMs: 0 };
    }));
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + 60_000;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

const INCREMENT = `
local out = {}
for i, key in ipairs(KEYS) do
  local hits = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[i])
    ttl = tonumber(ARGV[i])
  end
  out[i] = {hits, ttl}
end
return out
`;

const DECREMENT = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
`;

const PEEK = `
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = {tonumber(redis.call('GET', key) or '0'), redis.call('PTTL', key)}
end
return out
`;

/** Shared by every instance; each call is one script, so concurrent hits are never lost. */
export class RedisAttemptCounters extends AttemptCounters {
  constructor(private readonly redis: Redis) {
    super();
  }

  async increment(counters: readonly Counter[]): Promise<CounterState[]> {
    const keys = counters.map((c) => `abuse:${c.key}`);
    const windows = counters.map((c) => c.windowMs);
    const states = (await this.redis.eval(INCREMENT, keys.length, ...keys, ...windows)) as [number, number][];
    return states.map(([hits, ttlMs]) => ({ hits, ttlMs }));
  }

  async decrement(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.eval(DECREMENT, keys.length, ...keys.map((k) => `abuse:${k}`));
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`abuse:${key}`);
  }

  async peek(counters: readonly Counter[]): Promise<CounterState[]> {
    const keys = counters.map((c) => `abuse:${c.key}`);
    const states = (await this.redis.eval(PEEK, keys.length, ...keys)) as [number, number][];
    return states.map(([hits, ttlMs]) => ({ hits, ttlMs: Math.max(0, ttlMs) }));
  }
}
