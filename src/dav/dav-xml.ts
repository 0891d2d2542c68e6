import { BadRequestException } from '@nestjs/common';
import { DOMImplementation, DOMParser, Document, Element, MIME_TYPE, Node, XMLSerializer } from '@xmldom/xmldom';
import { DAV_MESSAGES } from './dav.constants';

export const DAV_NS = 'DAV:';

/** A property's identity: its namespace (may be '') and local name. */
export interface QName {
  namespace: string;
  name: string;
}

export function sameQName(a: QName, b: QName): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

/**
 * A request body as a namespace-aware DOM (xmldom). Anything that is not well-formed XML with
 * well-formed namespaces is the client's error: 400. xmldom never loads external entities.
 */
export function parseXml(text: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new BadRequestException({ error: `${DAV_MESSAGES.badXml}: ${message.split('\n')[0]}` });
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, MIME_TYPE.XML_APPLICATION);
  } catch (error) {
    if (error instanceof BadRequestException) throw error;
    throw new BadRequestException({ error: `${DAV_MESSAGES.badXml}: ${String((error as Error).message).split('\n')[0]}` });
  }
  if (!doc.documentElement) throw new BadRequestException({ error: DAV_MESSAGES.badXml });
  return doc;
}

/** The element children of `parent`, skipping text and comments. */
export function childElements(parent: Element): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === Node.ELEMENT_NODE) found.push(node as Element);
  }
  return found;
}

export function qnameOf(element: Element): QName {
  return { namespace: element.namespaceURI ?? '', name: element.localName ?? element.nodeName };
}

export function isDav(element: Element, name: string): boolean {
  return element.namespaceURI === DAV_NS && element.localName === name;
}

/** The first child element `DAV:name`, or null. */
export function davChild(parent: Element, name: string): Element | null {
  return childElements(parent).find((child) => isDav(child, name)) ?? null;
}

/** An element as XML text, with the namespace declarations it needs. */
export function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

/**
 * Builds a response document in the DAV: namespace (prefix `D`), element by element, and writes
 * it out with xmldom's serializer, which declares every namespace an element needs.
 */
export class DavDocument {
  readonly doc: Document;
  readonly root: Element;

  constructor(rootName: string) {
    this.doc = new DOMImplementation().createDocument(DAV_NS, `D:${rootName}`, null);
    this.root = this.doc.documentElement as Element;
  }

  /** `<D:name>` with optional text, appended to `parent`. */
  dav(parent: Element, name: string, text?: string): Element {
    const element = this.doc.createElementNS(DAV_NS, `D:${name}`);
    if (text !== undefined) element.appendChild(this.doc.createTextNode(text));
    parent.appendChild(element);
    return element;
  }

  /** An empty element of any namespace (a property name). */
  element(parent: Element, { namespace, name }: QName): Element {
    const element = namespace === DAV_NS ? this.doc.createElementNS(DAV_NS, `D:${name}`) : this.doc.createElementNS(namespace || null, name);
    parent.appendChild(element);
    return element;
  }

  /** XML kept as text (a dead property, a lock's owner), parsed and copied in. */
  fragment(parent: Element, xml: string): void {
    const imported = this.doc.importNode(parseXml(xml).documentElement as Element, true);
    parent.appendChild(imported);
  }

  toString(): string {
    return `<?xml version="1.0" encoding="utf-8"?>\n${serialize(this.doc)}`;
  }
}

/**
 * A multistatus written one `<D:response>` at a time: each is built as a small document of its
 * own and serialised at once, so that a listing of hundreds of resources never holds one DOM of
 * thousands of nodes. Such a DOM outlives V8's young generation (kept small for the memory
 * targets) and its promotion and collection cost more than building it (README "WebDAV against
 * Apache mod_dav").
 */
export class MultistatusWriter {
  private readonly responses: string[] = [];

  /** Builds one response: `doc.root` is its `<D:response>`. */
  add(build: (doc: DavDocument) => void): void {
    const doc = new DavDocument('response');
    build(doc);
    this.responses.push(serialize(doc.doc));
  }

  toString(): string {
    return `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="${DAV_NS}">${this.responses.join('')}</D:multistatus>`;
  }
}
