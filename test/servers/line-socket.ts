// A minimal line-oriented client over TCP or TLS, for tests that must see the server's exact
// replies (greetings, CAPABILITY, STARTTLS) without any client library in between. It handles
// CRLF lines only: IMAP literals are not parsed, so use it for commands whose replies have none.
import { type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';

/** Where to connect, and whether to speak TLS from the first byte. */
export interface LineSocketOptions {
  host: string;
  port: number;
  /** Implicit TLS (IMAPS, POP3S) with these options; omit for cleartext. */
  tls?: ConnectionOptions;
  /** Per-read timeout; a silent server fails the test instead of hanging it. Default 5 s. */
  timeoutMs?: number;
}

/** A connected socket read one CRLF-terminated line at a time. */
export class LineSocket {
  private buffer = '';
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  private error: Error | undefined;

  private constructor(
    public socket: Socket | TLSSocket,
    private readonly timeoutMs: number,
  ) {
    this.attach();
  }

  /** Connects and resolves once the TCP (and TLS, if asked) handshake is done. */
  static connect(opts: LineSocketOptions): Promise<LineSocket> {
    return new Promise((resolve, reject) => {
      const ready = opts.tls ? 'secureConnect' : 'connect';
      const socket = opts.tls
        ? tlsConnect({ host: opts.host, port: opts.port, ...opts.tls })
        : tcpConnect({ host: opts.host, port: opts.port });
      socket.once('error', reject);
      socket.once(ready, () => {
        socket.off('error', reject);
        resolve(new LineSocket(socket, opts.timeoutMs ?? 5_000));
      });
    });
  }

  private attach(): void {
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end = this.buffer.indexOf('\r\n');
      while (end !== -1) {
        this.lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
        end = this.buffer.indexOf('\r\n');
      }
      this.wake();
    });
    this.socket.on('error', (err) => {
      this.error = err;
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next line, without its CRLF. */
  async readLine(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.error) throw this.error;
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no line within ${this.timeoutMs} ms (partial: ${JSON.stringify(this.buffer)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Sends one line; CRLF is added. */
  send(line: string): void {
    this.socket.write(`${line}\r\n`, 'latin1');
  }

  /** Sends `tag command` and returns every reply line up to and including the tagged one. */
  async imap(tag: string, command: string): Promise<string[]> {
    this.send(`${tag} ${command}`);
    const out: string[] = [];
    for (;;) {
      const line = await this.readLine();
      out.push(line);
      if (line.startsWith(`${tag} `)) return out;
    }
  }

  /** Sends a POP3 command; a multi-line reply (RFC 1939 §3) is read up to its "." line. */
  async pop3(command: string, multiline = false): Promise<string[]> {
    this.send(command);
    const first = await this.readLine();
    const out = [first];
    if (!multiline || !first.startsWith('+OK')) return out;
    for (;;) {
      const line = await this.readLine();
      out.push(line);
      if (line === '.') return out;
    }
  }

  /** Replaces the cleartext socket by TLS over it, after the server agreed to STARTTLS/STLS. */
  startTls(tls: ConnectionOptions): Promise<void> {
    if (this.lines.length > 0 || this.buffer !== '') {
      // Bytes after the OK and before the handshake would be an injection (RFC 3501 §11.1).
      throw new Error('unread cleartext data before STARTTLS');
    }
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    return new Promise((resolve, reject) => {
      const secure = tlsConnect({ socket: plain, ...tls });
      secure.once('error', reject);
      secure.once('secureConnect', () => {
        secure.off('error', reject);
        this.socket = secure;
        this.attach();
        resolve();
      });
    });
  }

  /** Closes the connection and resolves once it is closed. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}
