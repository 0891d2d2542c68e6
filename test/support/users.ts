import TestAgent from 'supertest/lib/agent';
import { ADMIN, uniqueName } from './test-app';

export interface LoggedInUser {
  id: number;
  username: string;
  password: string;
  token: string;
  /** Headers that authenticate as this user (Bearer). */
  auth: { Authorization: string };
}

export async function login(http: TestAgent, username: string, password: string): Promise<LoggedInUser> {
  const res = await http.post('/login').send({ username, password }).expect(200);
  const token = res.body.token as string;
  const me = await http.get('/').set('Authorization', `Bearer ${token}`);
  // A session that must change its password first sees no profile (403): its id stays unknown (0).
  if (me.status !== 200 && me.status !== 403) throw new Error(`GET / answered ${me.status}`);
  const id = me.status === 200 ? (me.body.id as number) : 0;
  return { id, username, password, token, auth: { Authorization: `Bearer ${token}` } };
}

/** A new user, registered through `POST /register` and logged in. */
export async function newUser(http: TestAgent, prefix = 'u'): Promise<LoggedInUser> {
  const username = uniqueName(prefix);
  const password = `pw-${username}-secret`;
  await http.post('/register').send({ username, password }).expect(204);
  return login(http, username, password);
}

export function loginAdmin(http: TestAgent): Promise<LoggedInUser> {
  return login(http, ADMIN.username, ADMIN.password);
}
