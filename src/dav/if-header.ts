import { BadRequestException } from '@nestjs/common';

/** One condition of an If header list: a state token or an entity tag, possibly negated. */
export type IfCondition = { not: boolean; token: string } | { not: boolean; etag: string };

export interface IfList {
  /** The tagged resource (a URL as sent), or null for the request's own resource. */
  resource: string | null;
  conditions: IfCondition[];
}

/** The header ended inside a list. */
class Truncated extends Error {}

/**
 * RFC 4918 §10.4: `If: [<resource>] (cond cond...) (cond...) [<resource>] (...)`, where a cond
 * is `[Not] <state-token>` or `[Not] [etag]`. Malformed headers are 400, with one exception: a
 * last list cut off at the end of the header is dropped. Some clients cut long headers at a
 * fixed length (litmus does at about 200 bytes, which a 64-digit sha256 ETag reaches); lists
 * are alternatives, so dropping one can only make the header harder to satisfy, and the lock
 * tokens in it are not counted as submitted.
 */
export function parseIfHeader(header: string): IfList[] {
  try {
    return parseLists(header);
  } catch (error) {
    if (!(error instanceof Truncated)) throw error;
    if (error.message === '0') throw new BadRequestException({ error: 'Malformed If header' });
    return parseLists(header.slice(0, Number(error.message)));
  }
}

function parseLists(header: string): IfList[] {
  const lists: IfList[] = [];
  let listStart = 0;
  let resource: string | null = null;
  let i = 0;
  const fail = (): never => {
    throw new BadRequestException({ error: 'Malformed If header' });
  };
  const skipSpace = (): void => {
    while (i < header.length && /\s/.test(header[i])) i++;
  };
  const readUntil = (end: string): string => {
    const close = header.indexOf(end, i);
    if (close < 0) throw new Truncated(String(lists.length > 0 ? listStart : 0));
    const text = header.slice(i, close);
    i = close + 1;
    return text;
  };
  skipSpace();
  while (i < header.length) {
    if (header[i] === '<') {
      i++;
      resource = readUntil('>');
    } else if (header[i] === '(') {
      listStart = i;
      i++;
      const conditions: IfCondition[] = [];
      for (;;) {
        skipSpace();
        if (i >= header.length) throw new Truncated(String(lists.length > 0 ? listStart : 0));
        if (header[i] === ')') {
          i++;
          break;
        }
        let not = false;
        if (header.slice(i, i + 3).toLowerCase() === 'not') {
          not = true;
          i += 3;
          skipSpace();
        }
        if (header[i] === '<') {
          i++;
          conditions.push({ not, token: readUntil('>') });
        } else if (header[i] === '[') {
          i++;
          conditions.push({ not, etag: readUntil(']') });
        } else fail();
      }
      if (conditions.length === 0) fail();
      lists.push({ resource, conditions });
    } else fail();
    skipSpace();
  }
  if (lists.length === 0) fail();
  return lists;
}

/** Every state token the header names: the lock tokens the client submits. */
export function submittedTokens(lists: IfList[]): Set<string> {
  return new Set(lists.flatMap((list) => list.conditions.flatMap((c) => ('token' in c ? [c.token] : []))));
}

