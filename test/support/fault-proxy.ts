import { once } from 'node:events';
import { connect, createServer, Server, Socket } from 'node:net';

/** A client connection and the upstream one it is forwarded to (none yet while stalled). */
interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

/** Ends a socket with a TCP RST where it can (the peer sees ECONNRESET), else just destroys it. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of one server, for cutting or stalling the app's
 * connections at a moment the test chooses: the server itself keeps running, so the test sees
 * what the app does when the network (not the server) fails. Every socket has an 'error'
 * handler: a fault injected here must never surface as an unhandled error in the test process.
 */
export class FaultProxy {
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;
  private stalled = false;
  private refusing = false;

  private constructor(readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accepted(client));
    this.server.on('error', () => undefined);
  }

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  /** The port the proxy listens on (127.0.0.1). */
  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** How many client connections are open (forwarded, or waiting while stalled). */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resets every open connection on both sides now; returns how many client connections were cut. */
  cutAll(): number {
    const count = this.pairs.size;
    for (const pair of [...this.pairs]) this.cut(pair);
    return count;
  }

  /**
   * Makes the target look hung: new connections are accepted but not forwarded, and open ones
   * forward nothing in either direction, until unstall().
   */
  stall(): void {
    this.stalled = true;
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream?.pause();
    }
  }

  /** Forwards again: open pairs resume, and connections accepted while stalled are connected upstream. */
  unstall(): void {
    this.stalled = false;
    for (const pair of this.pairs) {
      if (pair.upstream) {
        pair.client.resume();
        pair.upstream.resume();
      } else {
        this.connectUpstream(pair);
      }
    }
  }

  /** Makes the target look down: open connections are cut, new ones reset as soon as they arrive, until accept(). */
  refuse(): void {
    this.refusing = true;
    this.cutAll();
  }

  /** Undoes refuse(). */
  accept(): void {
    this.refusing = false;
  }

  /** Cuts every connection and stops listening. */
  async close(): Promise<void> {
    this.cutAll();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accepted(client: Socket): void {
    client.on('error', () => undefined);
    if (this.refusing) {
      reset(client);
      return;
    }
    const pair: Pair = { client, upstream: undefined };
    this.pairs.add(pair);
    client.on('close', () => this.drop(pair));
    // Nothing is read from the client until there is an upstream to forward it to.
    client.pause();
    if (!this.stalled) this.connectUpstream(pair);
  }

  private connectUpstream(pair: Pair): void {
    const { client } = pair;
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => this.drop(pair));
    this.forward(client, upstream);
    this.forward(upstream, client);
    client.resume();
  }

  /** Copies data one way, with backpressure, holding back while stalled. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!this.stalled) from.resume();
        });
      }
    });
    from.on('end', () => to.end());
  }

  /** Resets both sides of a pair and forgets it. */
  private cut(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    reset(pair.client);
    if (pair.upstream) reset(pair.upstream);
  }

  /**
   * One side has closed: the other is ended gracefully, after what was already forwarded to it
   * (a server's last words, such as PostgreSQL's "terminating connection due to administrator
   * command", must still reach the client).
   */
  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (socket && !socket.destroyed) socket.end(() => socket.destroy());
    }
  }
}
