/**
 * One session: a WebSocket from the extension piped to one TCP (or TLS) connection to a mail
 * server. Owns both ends, the connect timeout, the idle timeout, STARTTLS and backpressure.
 *
 *   hello ──connect──▶ connecting ──connected──▶ open ◀──secured── securing
 *                                                  └────starttls────▲
 * Any state can go to closed; every close but the client's own says why (error frame,
 * close code and reason: relay/PROTOCOL.md).
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { RelayError } from './errors.ts';
import { parseClientFrame } from './frames.ts';
import {
  HIGH_WATER_MARK,
  LOW_WATER_MARK,
  QUEUED_SENDS_HIGH,
  QUEUED_SENDS_LOW,
  TLS_MESSAGE_MAX_BYTES,
  UPSTREAM_LINGER_MS,
} from './limits.ts';
import type { Logger } from './log.ts';
import {
  type ConnectRequest,
  RELAY_CLOSE_CODES,
  RELAY_SUBPROTOCOL,
  type RelayErrorCode,
  type ServerFrame,
} from './protocol.ts';
import { StartTlsGate } from './tls-gate.ts';
import { connectTcp, formatRemote, resolveTarget, secure, type TargetPolicy } from './upstream.ts';
import { RELAY_VERSION } from './version.ts';

/** How a session takes and gives back its place in the relay's limits (server.ts). */
export interface SessionSlots {
  /** On `connect`: takes a connected-session slot, or says why there is none. */
  admit(session: Session): RelayError | null;
  /** Once, when the session has closed. */
  release(session: Session): void;
}

/** The limits a session enforces. */
export interface SessionSettings extends TargetPolicy {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  helloTimeoutMs: number;
}

type State = 'hello' | 'connecting' | 'open' | 'securing' | 'closed';

const noop = (): void => {};

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** One WebSocket ↔ TCP pipe. */
export class Session {
  private state: State = 'hello';
  /** Whether the client's one `hello` was answered. */
  private greeted = false;
  private request: ConnectRequest | null = null;
  private upstream: Socket | null = null;
  private detachUpstream: () => void = noop;
  private secured = false;
  /** Aborted when the session ends: cancels a pending lookup, connect or handshake. */
  private readonly ended = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private lastActivity = Date.now();
  /**
   * More than HIGH_WATER_MARK waits to go out on the WebSocket (mail bytes or replies such as
   * pongs): the relay reads from neither side until the client has read it down to LOW_WATER_MARK.
   */
  private downstreamFull = false;
  /** WebSocket sends whose callback has not run yet (still in the relay, not in the kernel). */
  private queuedSends = 0;
  /** The upstream's write buffer is full: the relay stops reading from the client until 'drain'. */
  private upstreamFull = false;
  /** Whether ws.pause() is in force (for either reason above). */
  private clientPaused = false;
  private readonly startedAt = Date.now();
  private target = '-';
  private remote = '-';
  private up = 0;
  private down = 0;
  private closeLabel: string | null = null;
  /** TLS plaintext waiting to go out as one message at the end of this turn of the event loop. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private heldFlush: NodeJS.Immediate | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly origin: string,
    private readonly settings: SessionSettings,
    private readonly log: Logger,
    private readonly slots: SessionSlots,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code) => this.onClientClose(code));
    // ws reports protocol violations here and closes by itself (1009 for an oversize
    // message, 1002 for a bad frame); 'close' follows.
    ws.on('error', (error: Error & { code?: string }) => {
      if (this.state === 'closed') return;
      const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.finish(
        tooBig ? RELAY_CLOSE_CODES.tooBig : 1002,
        tooBig ? 'message_too_big' : 'protocol_error',
        false,
      );
    });
    this.timer = setTimeout(() => {
      const seconds = settings.helloTimeoutMs / 1000;
      this.fail(new RelayError('bad_request', `no connect frame within ${seconds} s`));
    }, settings.helloTimeoutMs);
  }

  /** Closes a session still waiting for `connect` to make room for a newer one. */
  displace(): void {
    if (this.state !== 'hello') return;
    this.fail(
      new RelayError(
        'too_many_sessions',
        'too many sessions were waiting for "connect"; this was the oldest',
      ),
    );
  }

  /** Closes the session because the relay is stopping (close 1001). */
  shutdown(): void {
    if (this.state !== 'closed') this.finish(RELAY_CLOSE_CODES.shutdown, 'shutdown', false);
  }

  /** Drops the WebSocket without a closing handshake (end of shutdown grace). */
  terminate(): void {
    this.ws.terminate();
  }

  private send(frame: ServerFrame): void {
    // Mail bytes received before this frame's cause go out before it.
    this.flushHeld();
    if (this.ws.readyState !== this.ws.OPEN) return;
    // Replies count against the same bound as mail bytes: a client that sends pings and never
    // reads the pongs would otherwise grow the relay without limit (a million: +250 MiB).
    this.queuedSends++;
    this.ws.send(JSON.stringify(frame), this.onSent);
    this.checkDownstream();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (isBinary) {
      this.onClientBytes(toBuffer(data));
      return;
    }
    const parsed = parseClientFrame(toBuffer(data).toString('utf8'));
    if (!parsed.ok) {
      this.fail(new RelayError('bad_request', parsed.message));
      return;
    }
    const frame = parsed.frame;
    if (this.state === 'hello') {
      if (frame.op === 'hello' && !this.greeted) {
        this.greeted = true;
        this.send({ op: 'hello', version: RELAY_VERSION, protocol: RELAY_SUBPROTOCOL });
        return;
      }
      if (frame.op !== 'connect') {
        this.fail(new RelayError('bad_request', 'the first frame must be "hello" or "connect"'));
        return;
      }
      const refusal = this.slots.admit(this);
      if (refusal) this.fail(refusal);
      else void this.connect(frame);
      return;
    }
    switch (frame.op) {
      case 'ping':
        this.send({ op: 'pong' });
        return;
      case 'connect':
        this.fail(new RelayError('bad_request', 'one "connect" per session'));
        return;
      case 'hello':
        this.fail(new RelayError('bad_request', '"hello" only before "connect"'));
        return;
      case 'starttls':
        void this.startTls();
        return;
    }
  }

  private onClientBytes(chunk: Buffer): void {
    if (this.state !== 'open') {
      // During STARTTLS the bytes could be meant for either side of the handshake, and
      // before "connected" there is nowhere to send them: both are client bugs.
      const when = this.state === 'securing' ? 'during the STARTTLS handshake' : 'before "connected"';
      this.fail(new RelayError('bad_request', `binary frame ${when}`));
      return;
    }
    this.up += chunk.length;
    this.lastActivity = Date.now();
    if (!this.upstream!.write(chunk) && !this.upstreamFull) {
      this.upstreamFull = true;
      this.updateClientReading();
    }
  }

  private readonly onUpstreamDrain = (): void => {
    if (!this.upstreamFull) return;
    this.upstreamFull = false;
    this.updateClientReading();
  };

  /** Pauses or resumes reading from the client: paused while either direction is full. */
  private updateClientReading(): void {
    const pause = this.upstreamFull || this.downstreamFull;
    if (pause === this.clientPaused) return;
    this.clientPaused = pause;
    if (pause) this.ws.pause();
    else this.ws.resume();
  }

  private readonly onUpstreamData = (chunk: Buffer): void => {
    this.down += chunk.length;
    this.lastActivity = Date.now();
    if (!this.secured) {
      this.sendDown(chunk);
      return;
    }
    // Node emits a TLS socket's plaintext one record per callback, all the records of one read
    // in the same turn of the event loop: joined until that turn ends (setImmediate runs right
    // after the I/O callbacks, no wait for more data), they leave as one message, not one per record.
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= TLS_MESSAGE_MAX_BYTES) this.flushHeld();
    else this.heldFlush ??= setImmediate(this.flushHeld);
  };

  private readonly flushHeld = (): void => {
    if (this.heldFlush) {
      clearImmediate(this.heldFlush);
      this.heldFlush = null;
    }
    if (this.heldBytes === 0) return;
    const data = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    this.sendDown(data);
  };

  private sendDown(data: Buffer): void {
    this.queuedSends++;
    this.ws.send(data, { binary: true }, this.onSent);
    this.checkDownstream();
  }

  /** After each send: past HIGH_WATER_MARK (or QUEUED_SENDS_HIGH), stop reading from both sides. */
  private checkDownstream(): void {
    if (this.downstreamFull) return;
    if (this.ws.bufferedAmount <= HIGH_WATER_MARK && this.queuedSends <= QUEUED_SENDS_HIGH) return;
    this.downstreamFull = true;
    this.upstream?.pause();
    this.updateClientReading();
  }

  /** A frame reached the kernel; the last one before the buffer empties always gets here. */
  private readonly onSent = (): void => {
    this.queuedSends--;
    if (!this.downstreamFull) return;
    if (this.ws.bufferedAmount > LOW_WATER_MARK || this.queuedSends > QUEUED_SENDS_LOW) return;
    this.downstreamFull = false;
    // During STARTTLS the upstream stays paused; attach() resumes the secured one.
    if (this.state === 'open') this.upstream?.resume();
    this.updateClientReading();
  };

  /** A signal for one connect or handshake phase: aborts on the connect timeout or session end. */
  private phase(stage: () => string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const ms = this.settings.connectTimeoutMs;
    const timer = setTimeout(() => {
      controller.abort(new RelayError('connect_timeout', `${stage()} did not finish within ${ms / 1000} s`));
    }, ms);
    const onEnd = (): void => controller.abort(this.ended.signal.reason);
    this.ended.signal.addEventListener('abort', onEnd, { once: true });
    return {
      signal: controller.signal,
      done: () => {
        clearTimeout(timer);
        this.ended.signal.removeEventListener('abort', onEnd);
      },
    };
  }

  private async connect(request: ConnectRequest): Promise<void> {
    this.clearTimer();
    this.state = 'connecting';
    this.request = request;
    this.target = formatRemote(request.host, request.port);
    let stage = 'DNS lookup';
    const phase = this.phase(() => stage);
    try {
      const addresses = await resolveTarget(request.host, request.port, this.settings, phase.signal);
      stage = 'TCP connect';
      let socket: Socket = await connectTcp(addresses, request.port, phase.signal);
      this.remote = formatRemote(socket.remoteAddress ?? addresses[0]!, socket.remotePort ?? request.port);
      let reply: Extract<ServerFrame, { op: 'connected' }> = { op: 'connected', remote: this.remote };
      if (request.tls === 'implicit') {
        stage = 'TLS handshake';
        const secured = await secure(socket, request.host, request.pin, phase.signal);
        socket = secured.socket;
        reply = { ...reply, tls: secured.info };
        this.secured = true;
      }
      if (this.state !== 'connecting') {
        socket.destroy();
        return;
      }
      this.state = 'open';
      this.send(reply);
      this.attach(socket);
      this.startIdleTimer();
    } catch (error) {
      if (this.state === 'connecting') this.fail(asRelayError(error, 'connect_refused'));
    } finally {
      phase.done();
    }
  }

  /**
   * STARTTLS (RFC 2595 §4, RFC 3207 §5): the client saw the server accept the command. Server
   * bytes from then until the TLS records begin are dropped, never delivered as if they were
   * protected (response injection, the mirror image of CVE-2011-0411): what is buffered now
   * is discarded here, what comes later is discarded by the gate (tls-gate.ts).
   */
  private async startTls(): Promise<void> {
    if (this.state !== 'open' || this.request?.tls !== 'starttls' || this.secured) {
      const why = this.secured ? 'the connection is already secured' : 'connect with tls "starttls" first';
      this.fail(new RelayError('bad_request', `starttls refused: ${why}`));
      return;
    }
    this.state = 'securing';
    this.lastActivity = Date.now();
    const plain = this.upstream!;
    this.detachUpstream();
    plain.pause();
    const phase = this.phase(() => 'STARTTLS handshake');
    try {
      // What the client wrote before asking (the STARTTLS command) must go out before the
      // ClientHello; the server has answered it, so this is normally already empty.
      if (plain.writableLength > 0) await Promise.race([once(plain, 'drain'), once(phase.signal, 'abort')]);
      if (phase.signal.aborted) throw phase.signal.reason;
      while (plain.read() !== null) {
        // Dropped: see above.
      }
      const gate = new StartTlsGate(plain);
      const secured = await secure(gate, this.request.host, this.request.pin, phase.signal);
      secured.socket.once('close', () => plain.destroy());
      if (this.state !== 'securing') {
        secured.socket.destroy();
        return;
      }
      this.secured = true;
      this.state = 'open';
      this.send({ op: 'secured', tls: secured.info });
      this.attach(secured.socket);
      this.lastActivity = Date.now();
    } catch (error) {
      plain.destroy();
      if (this.state === 'securing') this.fail(asRelayError(error, 'tls_failed'));
    } finally {
      phase.done();
    }
  }

  /** Makes `socket` the upstream and starts piping. */
  private attach(socket: Socket): void {
    this.upstream = socket;
    const onEnd = (): void => {
      if (this.state === 'open') this.finish(RELAY_CLOSE_CODES.normal, 'upstream_closed', false);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      if (this.state !== 'open') return;
      this.fail(
        new RelayError('upstream_closed', `connection to the server failed: ${error.code ?? error.message}`),
      );
    };
    socket.on('data', this.onUpstreamData);
    socket.on('drain', this.onUpstreamDrain);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    this.detachUpstream = () => {
      socket.off('data', this.onUpstreamData);
      socket.off('drain', this.onUpstreamDrain);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.on('error', noop);
      this.detachUpstream = noop;
    };
    if (this.downstreamFull) socket.pause();
    else socket.resume();
    // The client may have been paused on the socket STARTTLS replaced.
    this.onUpstreamDrain();
  }

  private startIdleTimer(): void {
    const ms = this.settings.idleTimeoutMs;
    this.lastActivity = Date.now();
    const check = (): void => {
      if (this.state === 'closed') return;
      const idle = Date.now() - this.lastActivity;
      // A STARTTLS handshake is bounded by the connect timeout, not by this one.
      if (this.state === 'open' && idle >= ms) {
        this.fail(new RelayError('idle_timeout', `no traffic for ${ms / 1000} s`));
        return;
      }
      this.timer = setTimeout(check, this.state === 'open' ? ms - idle : ms);
    };
    this.timer = setTimeout(check, ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends an error frame and closes with its close code. */
  private fail(error: RelayError): void {
    if (this.state === 'closed') return;
    this.send({
      op: 'error',
      code: error.code,
      message: error.message,
      ...(error.certificate ? { certificate: error.certificate } : {}),
    });
    const code = error.code === 'idle_timeout' ? RELAY_CLOSE_CODES.idle : RELAY_CLOSE_CODES.error;
    this.finish(code, error.code, false);
  }

  /** Ends the session from the relay's side. */
  private finish(code: number, reason: string, graceful: boolean): void {
    this.flushHeld();
    this.state = 'closed';
    this.closeLabel = `${code}/${reason}`;
    this.clearTimer();
    this.ended.abort(new RelayError('bad_request', 'session closed'));
    this.closeUpstream(graceful);
    this.ws.close(code, reason);
  }

  /** Ends the upstream: gracefully lets written bytes (a client's LOGOUT) reach the server. */
  private closeUpstream(graceful: boolean): void {
    const socket = this.upstream;
    this.upstream = null;
    this.detachUpstream();
    if (!socket || socket.destroyed) return;
    if (!graceful) {
      socket.destroy();
      return;
    }
    socket.end();
    const timer = setTimeout(() => socket.destroy(), UPSTREAM_LINGER_MS).unref();
    socket.once('close', () => clearTimeout(timer));
  }

  private onClientClose(code: number): void {
    // Nobody left to read what was held.
    if (this.heldFlush) clearImmediate(this.heldFlush);
    this.heldFlush = null;
    this.held = [];
    this.heldBytes = 0;
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.closeLabel = `${code}/client`;
      this.clearTimer();
      this.ended.abort(new RelayError('bad_request', 'session closed'));
      this.closeUpstream(true);
    }
    this.log.session({
      origin: this.origin,
      target: this.target,
      remote: this.remote,
      tls: this.request ? `${this.request.tls}${this.request.pin ? '+pin' : ''}` : '-',
      up: this.up,
      down: this.down,
      durationMs: Date.now() - this.startedAt,
      close: this.closeLabel ?? `${code}/client`,
    });
    this.slots.release(this);
  }
}

/** A RelayError as is; anything else (a socket error while waiting) under `fallback`. */
function asRelayError(error: unknown, fallback: RelayErrorCode): RelayError {
  if (error instanceof RelayError) return error;
  const message =
    error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  return new RelayError(fallback, `connection failed: ${message}`);
}
