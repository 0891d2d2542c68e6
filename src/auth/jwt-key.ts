import { createSecretKey, KeyObject } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/**
 * JWT_SECRET as an HMAC KeyObject. Given a string, jsonwebtoken 9 first tries to read it as a
 * PEM public key on every verification (auth0/node-jsonwebtoken#966), which always fails for
 * HS256 and cost a third of an authenticated request's CPU; a secret KeyObject goes straight to
 * the HMAC. The bytes are the secret's UTF-8, so tokens signed either way verify alike.
 */
export function jwtKey(config: AppConfig): KeyObject {
  return createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
}
