/**
 * biff-browsers: chromium firefox
 *
 * The relay's first promise, tried from a real web page in real Chromium and Firefox ESR (whose
 * extension origin, moz-extension://<uuid>, the relay lets through): a page on this very
 * machine that knows the relay's address, and even its pairing token, cannot get a socket. The
 * browser sends the page's own Origin (a page cannot forge it), and the relay refuses it with 403
 * before the upgrade; its --verbose log says so. The extension's own origin getting through is
 * proven by every other e2e test (worker-transport.test.ts first).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { currentBrowser, type Driver } from '../browser/driver.ts';
import { launchExtension } from '../browser/extension.ts';
import { launchFirefox } from '../browser/firefox.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';

let relay: RunningRelay;
let site: Server;
let sitePort: number;
let browser: Driver;

before(async () => {
  relay = await startRelay({ args: ['--verbose'] });
  // The "attacker's" page: any site a user might open, served from this machine.
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>An ordinary web page</title><p>hello</p>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  sitePort = (site.address() as AddressInfo).port;
  browser = currentBrowser() === 'firefox' ? await launchFirefox() : await launchExtension();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await relay?.stop();
});

interface Attempt {
  opened: boolean;
  closeCode: number | null;
  protocol: string;
}

/** Opens the relay's WebSocket from `pageUrl` with `protocols`; resolves how it ended. */
async function attempt(pageUrl: string, protocols: string[]): Promise<Attempt> {
  const page = await browser.openWebPage(pageUrl);
  try {
    return await page.evaluate(
      ({ url, protocols }) =>
        new Promise<Attempt>((resolve) => {
          const ws = new WebSocket(url, protocols);
          let opened = false;
          ws.onopen = () => {
            opened = true;
            ws.close();
          };
          ws.onclose = (event) => resolve({ opened, closeCode: event.code, protocol: ws.protocol });
        }),
      { url: relay.url, protocols },
    );
  } finally {
    await page.close();
  }
}

/** Waits for the relay's verbose log line about a refused handshake from `origin`. */
async function refusalLogged(origin: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = relay
      .logs()
      .split('\n')
      .find((l) => l.includes('refused') && l.includes(`origin=${origin}`));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no refusal logged for ${origin}:\n${relay.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a web page that knows the token gets no socket: 403 on its Origin, before any upgrade', async () => {
  const origin = `http://127.0.0.1:${sitePort}`;
  const result = await attempt(`${origin}/`, ['biff.v1', `biff.token.${relay.token}`]);
  assert.deepEqual(result, { opened: false, closeCode: 1006, protocol: '' });
  const line = await refusalLogged(origin);
  assert.match(line, /status=403/);
  // The token is printed once at start-up, for pairing; nothing logged after that carries it.
  const afterStart = relay.logs().split(/^biff-relay listening on .*$/m)[1] ?? '';
  assert.ok(afterStart.includes('refused'), afterStart);
  assert.ok(!afterStart.includes(relay.token), 'the token offered is not logged');
});

test('the same from a page on "localhost", and without a token: 403 as well', async () => {
  const origin = `http://localhost:${sitePort}`;
  const result = await attempt(`${origin}/`, ['biff.v1']);
  assert.deepEqual(result, { opened: false, closeCode: 1006, protocol: '' });
  assert.match(await refusalLogged(origin), /status=403/);
  assert.doesNotMatch(relay.logs(), /\bsession\b.*origin=http/, 'no session was ever opened for a web page');
});
