import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ClientInfo } from '../common/http/client-info';
import { RetryLaterException } from '../common/http/retry-later.exception';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { AttemptCounters, Counter, CounterState } from './attempt-counters';
import { DeviceCookie } from './device-cookie';
import { RATE_LIMITED } from './rate-limit.constants';

const hashed = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * Brute-force limits on password checks (CONTRACT §11): only failures count. Every check of a
 * secret (login routes, `currentPassword`, and later Basic and link passwords) goes through
 * `verify`, so that all of them share one set of counters.
 *
 * Each attempt reserves a hit on its counters before the secret is checked, so that concurrent
 * guesses cannot all slip under a limit; a success gives the reservation back.
 */
@Injectable()
export class PasswordAttempts {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly counters: AttemptCounters,
    private readonly devices: DeviceCookie,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Runs `check` (true when the secret is right) unless this client is over a limit for this
   * username, in which case it throws 429 without checking.
   */
  async verify(username: string, client: ClientInfo, check: () => Promise<boolean>): Promise<boolean> {
    const { counters, pair } = this.countersOf(username, client);
    const states = await this.counters.increment(counters);
    const keys = counters.map((c) => c.key);
    const over = states.findIndex((state, i) => state.hits > counters[i].limit);
    if (over >= 0) {
      await this.counters.decrement(keys);
      this.refuse(states[over]);
    }
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      await this.counters.decrement(keys);
      throw error;
    }
    if (ok) {
      await this.counters.decrement(keys.filter((k) => k !== pair.key));
      await this.counters.reset(pair.key);
    }
    return ok;
  }

  /**
   * 429 when this client has used up a limit for this username, counting nothing: for a secret
   * known right without checking it again (a remembered Basic credential), so that past the limit
   * a right guess is refused like a wrong one.
   */
  async assertUnderLimits(username: string, client: ClientInfo): Promise<void> {
    const { counters } = this.countersOf(username, client);
    const states = await this.counters.peek(counters);
    const over = states.findIndex((state, i) => state.hits >= counters[i].limit);
    if (over >= 0) this.refuse(states[over]);
  }

  private countersOf(username: string, client: ClientInfo): { counters: Counter[]; pair: Counter } {
    const limits = this.config.abuseLimits;
    const address = client.ip ?? 'unknown';
    const name = hashed(username);
    const pair: Counter = { key: `pair:${name}:${address}`, ...limits.perPair };
    const counters: Counter[] = [{ key: `addr:${address}`, ...limits.perAddress }, pair];
    // A browser that has signed in as this user before is exempt from the per-username lock.
    if (!this.devices.trusts(client.cookies, username)) counters.push({ key: `user:${name}`, ...limits.perUsername });
    return { counters, pair };
  }

  private refuse(state: CounterState): never {
    this.metrics.rateLimited('login');
    throw new RetryLaterException(429, RATE_LIMITED, state.ttlMs / 1000);
  }
}
