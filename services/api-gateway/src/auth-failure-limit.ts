import type { Redis } from 'ioredis';

/**
 * Failed key attempts per client address. Once an address has failed `perMinute` times in a minute,
 * every keyed request from it is refused with 429 until the minute is over, whether its key is right
 * or not, so that guessing gains nothing from being fast.
 */
export interface AuthFailureLimit {
  /** Seconds until the address may try again; 0 when it may now. */
  blockedFor(address: string): Promise<number>;
  recordFailure(address: string): Promise<void>;
}

const WINDOW_MS = 60_000;

export function memoryAuthFailureLimit(perMinute: number, now: () => number = Date.now): AuthFailureLimit {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (address: string) => {
    const w = windows.get(address);
    if (w && w.resetAt > now()) return w;
    windows.delete(address);
    return undefined;
  };
  return {
    blockedFor: (address) => {
      const w = current(address);
      return Promise.resolve(w && w.count >= perMinute ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 0);
    },
    recordFailure: (address) => {
      const w = current(address) ?? { count: 0, resetAt: now() + WINDOW_MS };
      w.count += 1;
      windows.set(address, w);
      // Bounded: a flood of addresses drops the oldest windows first.
      if (windows.size > 50_000) windows.delete(windows.keys().next().value as string);
      return Promise.resolve();
    },
  };
}

/** The same counts in Redis, shared by every gateway replica. A Redis error lets the request through (and is logged by the caller). */
export function redisAuthFailureLimit(redis: Redis, perMinute: number, prefix = 'faceless:auth-failures:'): AuthFailureLimit {
  return {
    async blockedFor(address) {
      const [count, ttl] = await redis.multi().get(`${prefix}${address}`).pttl(`${prefix}${address}`).exec() ?? [];
      const n = Number(count?.[1] ?? 0);
      const ms = Number(ttl?.[1] ?? 0);
      return n >= perMinute ? Math.max(1, Math.ceil(ms / 1000)) : 0;
    },
    async recordFailure(address) {
      await redis.multi().incr(`${prefix}${address}`).pexpire(`${prefix}${address}`, WINDOW_MS, 'NX').exec();
    },
  };
}
