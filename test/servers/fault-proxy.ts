/**
 * A TCP proxy that sits between the relay and Dovecot and breaks connections on command, the
 * way networks and servers break them in the field:
 *
 * - `reset()`: every live connection is reset at once (RST to both ends), as when a NAT box or
 *   a server restarts.
 * - `blackhole()`: the connections open now stay open, but bytes silently stop in both
 *   directions: nothing is read from either end (the kernel's buffers fill up, as a peer that
 *   is gone never acknowledges), nothing is written, nothing is closed. That is the
 *   half-open connection of a hung server or a dropped NAT mapping, which only a reply that
 *   did not come in time reveals. New connections pass meanwhile (a dropped mapping is
 *   re-created by the next SYN), unless `{ newConnections: true }` blackholes those as well
 *   (a hung server, an unplugged cable).
 * - `pass()`: the blackhole ends; what was held flows again (as TCP's retransmissions deliver
 *   it when the path comes back), and an end that closed meanwhile is now closed on the other.
 *
 * Connections are byte pipes: TLS passes through untouched, so certificate pins still match.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Where the proxy forwards to. */
export interface FaultProxyTarget {
  host: string;
  port: number;
}

/** What `blackhole()` applies to. */
export interface BlackholeOptions {
  /** Blackhole connections opened during the blackhole too (default false: they pass). */
  newConnections?: boolean;
}

/** One proxied connection: the relay's end (client) and ours to the server (upstream). */
interface Pipe {
  client: Socket;
  upstream: Socket;
  /** Bytes stopped: neither end is read, and a close is not passed on until `release`. */
  held: boolean;
  /** A close or reset that arrived while held, passed on at `release`. */
  closeLater: (() => void) | null;
}

/** Counts of what the proxy saw and did, for a test's or the soak's report. */
export interface FaultProxyStats {
  connections: number;
  resets: number;
  blackholes: number;
}

export class FaultProxy {
  private readonly pipes = new Set<Pipe>();
  private holdNew = false;
  private blackholeTimer: ReturnType<typeof setTimeout> | null = null;
  readonly stats: FaultProxyStats = { connections: 0, resets: 0, blackholes: 0 };

  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Where new connections go; may change (a server restarted elsewhere, a proxy started before its server). */
    public target: FaultProxyTarget | null,
  ) {}

  /** Listens on a free loopback port and forwards every connection to `target` (set later when null). */
  static async start(target: FaultProxyTarget | null = null): Promise<FaultProxy> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('FaultProxy: no port');
    const proxy = new FaultProxy(server, address.port, target);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  /** How many connections are open through the proxy now. */
  get open(): number {
    return this.pipes.size;
  }

  /** Whether a blackhole is in force. */
  get blackholed(): boolean {
    return [...this.pipes].some((p) => p.held) || this.holdNew;
  }

  /** Resets every live connection (RST both ways); held ones too. */
  reset(): void {
    this.stats.resets++;
    for (const pipe of this.pipes) {
      pipe.client.resetAndDestroy();
      pipe.upstream.resetAndDestroy();
    }
    this.pipes.clear();
  }

  /**
   * Stops bytes on every live connection (and on new ones with `newConnections`), until
   * `pass()` or, with `durationMs`, until that much time has passed.
   */
  blackhole(durationMs?: number, options: BlackholeOptions = {}): void {
    this.stats.blackholes++;
    for (const pipe of this.pipes) this.hold(pipe);
    this.holdNew = options.newConnections ?? false;
    if (this.blackholeTimer) clearTimeout(this.blackholeTimer);
    this.blackholeTimer = durationMs === undefined ? null : setTimeout(() => this.pass(), durationMs);
  }

  /** Ends a blackhole: held bytes and closes flow again, new connections pass. */
  pass(): void {
    if (this.blackholeTimer) clearTimeout(this.blackholeTimer);
    this.blackholeTimer = null;
    this.holdNew = false;
    for (const pipe of this.pipes) this.release(pipe);
  }

  /** Closes the listener and every connection. */
  async stop(): Promise<void> {
    this.pass();
    for (const pipe of this.pipes) {
      pipe.client.destroy();
      pipe.upstream.destroy();
    }
    this.pipes.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.stats.connections++;
    if (!this.target) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: this.target.host, port: this.target.port });
    upstream.pause();
    const pipe: Pipe = { client, upstream, held: false, closeLater: null };
    this.pipes.add(pipe);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        // Backpressure: a slow reader slows the writer, so the proxy's memory stays bounded.
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => {
            if (!pipe.held) from.resume();
          });
        }
      });
      from.on('end', () => this.whenFlowing(pipe, () => to.end()));
    };
    forward(client, upstream);
    forward(upstream, client);
    const gone = (other: Socket) => () => {
      this.whenFlowing(pipe, () => {
        other.destroy();
        this.pipes.delete(pipe);
      });
    };
    client.on('error', () => {}).on('close', gone(upstream));
    upstream.on('error', () => {}).on('close', gone(client));
    if (this.holdNew) pipe.held = true;
    else {
      client.resume();
      upstream.resume();
    }
  }

  /** Runs `action` now, or when the pipe's blackhole ends (a close that cannot cross it yet). */
  private whenFlowing(pipe: Pipe, action: () => void): void {
    if (!pipe.held) {
      action();
      return;
    }
    const earlier = pipe.closeLater;
    pipe.closeLater = () => {
      earlier?.();
      action();
    };
  }

  private hold(pipe: Pipe): void {
    pipe.held = true;
    pipe.client.pause();
    pipe.upstream.pause();
  }

  private release(pipe: Pipe): void {
    if (!pipe.held) return;
    pipe.held = false;
    pipe.client.resume();
    pipe.upstream.resume();
    const close = pipe.closeLater;
    pipe.closeLater = null;
    close?.();
  }
}
