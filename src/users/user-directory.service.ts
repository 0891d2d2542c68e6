import { Injectable, NotFoundException } from '@nestjs/common';
import { UsersRepository } from './users.repository';
import { DirectoryEntryDto } from './dto/directory-entry.dto';

export const DIRECTORY_MESSAGES = {
  userNotFound: 'No user with that name',
} as const;

/** Turns the user names people use into the numeric ids that S4's routes take. */
@Injectable()
export class UserDirectoryService {
  constructor(private readonly users: UsersRepository) {}

  /** Only the id and the name: nothing else of another user's account is shown. */
  async lookupUser(username: string): Promise<DirectoryEntryDto> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new NotFoundException({ error: DIRECTORY_MESSAGES.userNotFound });
    return { id: user.id, username: user.username };
  }
}
