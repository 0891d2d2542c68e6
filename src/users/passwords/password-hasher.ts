import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id hashes; the only code that sees a password in clear besides the request. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** A password for accounts an admin creates with autoGeneratePassword (24 URL-safe characters). */
  generate(): string {
    return randomBytes(18).toString('base64url');
  }
}
