/** Whether the Biff relay answers on a port: the native host and `install` ask before starting it. */
import { request } from 'node:http';

/** Each liveness probe; the relay answers `GET /` at once. */
const PROBE_TIMEOUT_MS = 2_000;

/** What answers on the relay's port: a Biff relay, something else, or nothing. */
export function probeRelay(host: string, port: number): Promise<'biff' | 'other' | 'none'> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', method: 'GET', timeout: PROBE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 64) body += chunk;
      });
      res.on('end', () =>
        resolve(res.statusCode === 200 && body.startsWith('Biff relay') ? 'biff' : 'other'),
      );
      res.on('error', () => resolve('other'));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'none' : 'other'),
    );
    req.end();
  });
}
