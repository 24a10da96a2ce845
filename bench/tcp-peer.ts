/**
 * The "mail server" side of the relay cases, in a process of its own as a real server is:
 * a sink that answers one byte ("K") once a connection has sent it `argv[2]` bytes, an echo
 * server, and a source that sends `argv[2]` bytes in 64 KiB writes once it has received one
 * byte (the mail direction). Prints `sink <port> echo <port> source <port>` when all listen.
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
const block = Buffer.alloc(64 * 1024);
for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
const source = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  socket.once('data', async () => {
    for (let sent = 0; sent < expected && !socket.destroyed; sent += block.length) {
      if (!socket.write(block)) await once(socket, 'drain');
    }
  });
});
sink.listen(0, '127.0.0.1');
echo.listen(0, '127.0.0.1');
source.listen(0, '127.0.0.1');
await Promise.all([once(sink, 'listening'), once(echo, 'listening'), once(source, 'listening')]);
const port = (server: typeof sink) => (server.address() as { port: number }).port;
console.log(`sink ${port(sink)} echo ${port(echo)} source ${port(source)}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
