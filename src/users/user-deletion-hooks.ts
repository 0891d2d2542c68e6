import { Injectable } from '@nestjs/common';
import { User } from './user.entity';

export type UserDeletionHook = (user: User) => Promise<void>;

/**
 * Modules that keep things belonging to a user (files, sounds and their blobs) register here,
 * so that deleting the user removes them without the Users module knowing those modules.
 */
@Injectable()
export class UserDeletionHooks {
  private readonly hooks: UserDeletionHook[] = [];

  register(hook: UserDeletionHook): void {
    this.hooks.push(hook);
  }

  async run(user: User): Promise<void> {
    for (const hook of this.hooks) await hook(user);
  }
}
