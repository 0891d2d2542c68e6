import { SessionRow } from '../auth/sessions/session.entity';
import { Sound } from '../sounds/entities/sound.entity';
import { User } from '../users/user.entity';

/** Every entity of the app; each module owns its own, this list only registers them. */
export const ENTITIES = [User, SessionRow, Sound];
