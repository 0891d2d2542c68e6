import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { DOMImplementation, DOMParser, Document, Element, MIME_TYPE, Node, XMLSerializer } from '@xmldom/xmldom';
import { DAV_MESSAGES, DAV_XML_MAX_MARKUP } from './dav.constants';

export const DAV_NS = 'DAV:';

/** A property's identity: its namespace (may be '') and local name. */
export interface QName {
  namespace: string;
  name: string;
}

/**
 * A request body as a namespace-aware DOM (xmldom). Anything that is not well-formed XML with
 * well-formed namespaces is the client's error: 400. xmldom never loads external entities.
 */
export function parseXml(text: string): Document {
  // xmldom builds a DOM synchronously: a body of tens of thousands of tiny elements would hold
  // the event loop for a quarter of a second. Counted first, it is refused in microseconds.
  if (markupCount(text) > DAV_XML_MAX_MARKUP) throw new PayloadTooLargeException({ error: DAV_MESSAGES.tooManyElements });
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

/** How many `<` the text holds: every tag, comment and processing instruction starts with one. */
function markupCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', at + 1)) count++;
  return count;
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
  /** XML inserted as text when the document is written (see `raw`). */
  private readonly raws: string[] = [];

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

  /**
   * XML kept as text (a dead property, a lock's owner), written out as it is. It was stored by
   * `serialize` from a parsed request, so it is one well-formed element that declares its own
   * namespaces; it is never parsed again, which keeps a listing's cost linear in what it writes.
   * A processing instruction marks its place; `toXml` puts the text there.
   */
  raw(parent: Element, xml: string): void {
    parent.appendChild(this.doc.createProcessingInstruction(RAW_TARGET, String(this.raws.length)));
    this.raws.push(xml);
  }

  /** The document as XML text, without a declaration. */
  toXml(): string {
    const text = serialize(this.doc);
    if (this.raws.length === 0) return text;
    // One pass over the serialised text, where no other processing instruction can occur (text
    // and names are escaped); the inserted XML is not searched again.
    return text.replace(RAW_MARK, (_, index: string) => this.raws[Number(index)]);
  }

  toString(): string {
    return `<?xml version="1.0" encoding="utf-8"?>\n${this.toXml()}`;
  }
}

const RAW_TARGET = 'cloudstash-raw';
const RAW_MARK = new RegExp(`<\\?${RAW_TARGET} (\\d+)\\?>`, 'g');

/**
 * A multistatus written one `<D:response>` at a time: each is built as a small document of its
 * own and serialised at once, so that a listing of hundreds of resources never holds one DOM of
 * thousands of nodes. Such a DOM outlives V8's young generation (kept small for the memory
 * targets) and its promotion and collection cost more than building it (README "WebDAV against
 * Apache mod_dav").
 */
export class MultistatusWriter {
  static readonly OPEN = `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="${DAV_NS}">`;
  static readonly CLOSE = '</D:multistatus>';
  private readonly responses: string[] = [];

  /** One `<D:response>` as text: `build` fills `doc.root`. */
  static response(build: (doc: DavDocument) => void): string {
    const doc = new DavDocument('response');
    build(doc);
    return doc.toXml();
  }

  /** Builds one response: `doc.root` is its `<D:response>`. */
  add(build: (doc: DavDocument) => void): void {
    this.responses.push(MultistatusWriter.response(build));
  }

  toString(): string {
    return `${MultistatusWriter.OPEN}${this.responses.join('')}${MultistatusWriter.CLOSE}`;
  }
}
