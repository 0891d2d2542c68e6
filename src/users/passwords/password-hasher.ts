import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * OWASP's argon2id parameters (Password Storage Cheat Sheet): 19 MiB, two passes, one lane.
 * argon2's own default (64 MiB, three passes, four lanes) made each login hold 64 MiB, so ten
 * at once needed over 600 MiB.
 */
export const ARGON2_PARAMETERS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** argon2id hashes; the only code that sees a password in clear besides the request. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_PARAMETERS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
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
