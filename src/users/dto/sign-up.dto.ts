import { NewCredentialsDto } from './credentials.dto';

/**
 * S1 sign-up: a username and password; every other member is kept as the user's `data`
 * (`fname`, `lname` and `email`, when strings, also fill the profile).
 */
export class SignUpDto extends NewCredentialsDto {
  [member: string]: unknown;
}
