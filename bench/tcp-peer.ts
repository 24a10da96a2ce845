/**
 * The "mail server" side of the relay cases, in a process of its own as a real server is:
 * a sink that answers one byte ("K") once a connection has sent it `argv[2]` bytes, and an
 * echo server. Prints `sink <port> echo <port>` when both listen.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

const expected = Number(process.argv[2]);
const sink = createServer((socket) => {
  let got = 0;
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (got >= expected && got - chunk.length < expected) socket.write('K');
  });
  socket.on('error', () => {});
});
const echo = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => {});
});
sink.listen(0, '127.0.0.1');
echo.listen(0, '127.0.0.1');
await Promise.all([once(sink, 'listening'), once(echo, 'listening')]);
const port = (server: typeof sink) => (server.address() as { port: number }).port;
console.log(`sink ${port(sink)} echo ${port(echo)}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
