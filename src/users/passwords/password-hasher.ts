import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import pLimit from 'p-limit';

/**
 * argon2id at OWASP's first configuration (Password Storage Cheat Sheet): 46 MiB, one pass, one
 * lane, as strong as its 19 MiB, two-pass one. argon2's own default (64 MiB, three passes, four
 * lanes) made each login hold 64 MiB. 19 MiB blocks fall under glibc's 32 MiB mmap ceiling, so
 * after a burst of logins every libuv thread's arena kept them: +80 MB of RSS that never went
 * away (measured, README "Passwords"); 46 MiB blocks are mapped and returned each time.
 */
export const ARGON2_PARAMETERS = { type: argon2.argon2id, memoryCost: 46 * 1024, timeCost: 1, parallelism: 1 } as const;

/**
 * At most this many hashes at once: more cannot finish sooner than the cores allow, and each
 * holds 46 MiB and a libuv thread that file reads and writes also need.
 */
const CONCURRENT_HASHES = Math.max(1, availableParallelism());

/** argon2id hashes; the only code that sees a password in clear besides the request. */
@Injectable()
export class PasswordHasher {
  private readonly limit = pLimit(CONCURRENT_HASHES);

  hash(password: string): Promise<string> {
    return this.limit(() => argon2.hash(password, ARGON2_PARAMETERS));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.limit(() => argon2.verify(hash, password));
    } catch {
      return false;
    }
  }

  /** True when the hash was made with other parameters than today's: it is replaced at the next successful login. */
  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, { memoryCost: ARGON2_PARAMETERS.memoryCost, timeCost: ARGON2_PARAMETERS.timeCost, parallelism: ARGON2_PARAMETERS.parallelism });
    } catch {
      return true;
    }
  }

  /** A password for accounts an admin creates with autoGeneratePassword (24 URL-safe characters). */
  generate(): string {
    return randomBytes(18).toString('base64url');
  }
}
