// The test Dovecot itself: what it offers on the wire (checked over raw sockets, no client
// library in between), that seeding lands where Dovecot sees it, and that stop() leaves nothing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { DOVECOT_DEFAULT_CAPABILITIES } from '../servers/dovecot-config.ts';
import { imapClient } from '../servers/imap-client.ts';
import { LineSocket } from '../servers/line-socket.ts';
import { hostileHtmlMessage, type MessageKind, makeMailbox, makeMessage } from '../servers/messages.ts';
import { descendants, isGone } from '../servers/process-tree.ts';
import { seedMaildir } from '../servers/seed.ts';

const USER = 'alice';
const PASS = 'correct horse';
const TLS = (server: DovecotServer) => ({ ca: [server.certPem], servername: 'localhost' });

/** Capability atoms from a "* CAPABILITY …" line or a "[CAPABILITY …]" response code. */
function capabilities(lines: readonly string[]): Set<string> {
  for (const line of lines) {
    const m = /^\* CAPABILITY (.*)$/.exec(line) ?? /\[CAPABILITY ([^\]]*)\]/.exec(line);
    if (m) return new Set(m[1]!.split(' '));
  }
  throw new Error(`no CAPABILITY in ${JSON.stringify(lines)}`);
}

async function imaps(server: DovecotServer): Promise<LineSocket> {
  const socket = await LineSocket.connect({ host: server.host, port: server.ports.imaps, tls: TLS(server) });
  assert.match(await socket.readLine(), /^\* OK /);
  return socket;
}

async function postLoginCapabilities(server: DovecotServer): Promise<Set<string>> {
  const socket = await imaps(server);
  try {
    assert.match((await socket.imap('l', `LOGIN ${USER} "${PASS}"`)).at(-1)!, /^l OK/);
    const reply = await socket.imap('c', 'CAPABILITY');
    assert.match(reply.at(-1)!, /^c OK/);
    return capabilities(reply);
  } finally {
    await socket.close();
  }
}

/** The items of a "* STATUS mailbox (NAME n …)" reply, whatever their order. */
function statusItems(lines: readonly string[]): Record<string, number> {
  const m = lines.map((l) => /^\* STATUS \S+ \(([^)]*)\)$/.exec(l)).find((x) => x !== null);
  assert.ok(m, lines.join('\n'));
  const items: Record<string, number> = {};
  const parts = m[1]!.split(' ');
  for (let i = 0; i + 1 < parts.length; i += 2) items[parts[i]!] = Number(parts[i + 1]);
  return items;
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('test Dovecot, default options', () => {
  let server: DovecotServer;
  const seeded = makeMailbox(12, { seed: 7, size: 'small' });
  const seen = seeded.map((_, i) => i % 3 === 0);
  const dates = seeded.map((m) => m.date);

  before(async () => {
    server = await startDovecot({ users: [{ user: USER, pass: PASS }] });
    seedMaildir(server, USER, seeded, { seen, dates });
  });
  after(async () => {
    await server?.stop();
  });

  it('serves a certificate for localhost and 127.0.0.1 with the advertised fingerprint', async () => {
    const byName = await LineSocket.connect({
      host: server.host,
      port: server.ports.imaps,
      tls: TLS(server),
    });
    const tlsSocket = byName.socket as import('node:tls').TLSSocket;
    assert.equal(tlsSocket.authorized, true);
    assert.equal(tlsSocket.getPeerX509Certificate()?.fingerprint256, server.fingerprint256);
    await byName.close();
    // No servername: Node checks the IP against the certificate's IP SAN.
    const byIp = await LineSocket.connect({
      host: server.host,
      port: server.ports.pop3s,
      tls: { ca: [server.certPem] },
    });
    assert.equal((byIp.socket as import('node:tls').TLSSocket).authorized, true);
    await byIp.close();
    assert.match(server.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('IMAPS greets and lists IDLE, CONDSTORE, QRESYNC, COMPRESS=DEFLATE and SPECIAL-USE after login', async () => {
    const socket = await LineSocket.connect({
      host: server.host,
      port: server.ports.imaps,
      tls: TLS(server),
    });
    const greeting = capabilities([await socket.readLine()]);
    assert.ok(greeting.has('IMAP4rev1'));
    assert.ok(greeting.has('AUTH=PLAIN'));
    assert.ok(greeting.has('AUTH=LOGIN'));
    assert.ok(!greeting.has('STARTTLS'), 'already on TLS');
    await socket.close();

    const caps = await postLoginCapabilities(server);
    for (const cap of [
      'IDLE',
      'CONDSTORE',
      'QRESYNC',
      'COMPRESS=DEFLATE',
      'SPECIAL-USE',
      'UIDPLUS',
      'MOVE',
      'ENABLE',
    ]) {
      assert.ok(caps.has(cap), `${cap} missing from ${[...caps].join(' ')}`);
    }
    // Our list of Dovecot's defaults (used when switching items off) must match what it sends.
    assert.deepEqual(
      [...caps].filter((c) => c !== 'COMPRESS=DEFLATE').sort(),
      [...DOVECOT_DEFAULT_CAPABILITIES].sort(),
    );
  });

  it('STARTTLS upgrades the cleartext IMAP port', async () => {
    const socket = await LineSocket.connect({ host: server.host, port: server.ports.imap });
    const greeting = capabilities([await socket.readLine()]);
    assert.ok(greeting.has('STARTTLS'));
    // disable_plaintext_auth = no: cleartext login is allowed (tests check that Biff refuses it).
    assert.ok(!greeting.has('LOGINDISABLED'));
    assert.match((await socket.imap('s', 'STARTTLS')).at(-1)!, /^s OK/);
    await socket.startTls(TLS(server));
    assert.equal((socket.socket as import('node:tls').TLSSocket).authorized, true);
    const after = await socket.imap('c', 'CAPABILITY');
    assert.ok(!capabilities(after).has('STARTTLS'), 'no second STARTTLS once on TLS');
    assert.match((await socket.imap('l', `LOGIN ${USER} "${PASS}"`)).at(-1)!, /^l OK/);
    await socket.close();
  });

  it('has Drafts, Sent, Junk and Trash with their special-use attributes', async () => {
    const socket = await imaps(server);
    await socket.imap('l', `LOGIN ${USER} "${PASS}"`);
    const list = await socket.imap('x', 'LIST "" "*" RETURN (SPECIAL-USE SUBSCRIBED)');
    await socket.close();
    const expected: [string, string][] = [
      ['Drafts', '\\Drafts'],
      ['Sent', '\\Sent'],
      ['Junk', '\\Junk'],
      ['Trash', '\\Trash'],
    ];
    for (const [name, use] of expected) {
      const line = list.find((l) => l.endsWith(` ${name}`));
      assert.ok(line, `${name} not listed: ${list.join(' | ')}`);
      assert.ok(line.includes(use) && line.includes('\\Subscribed'), line);
    }
  });

  it('sees the seeded messages with their \\Seen flags and INTERNALDATEs', async () => {
    const socket = await imaps(server);
    await socket.imap('l', `LOGIN ${USER} "${PASS}"`);
    const status = statusItems(await socket.imap('s', 'STATUS INBOX (MESSAGES UNSEEN)'));
    assert.deepEqual(status, { MESSAGES: seeded.length, UNSEEN: seen.filter((s) => !s).length });
    await socket.imap('e', 'EXAMINE INBOX');
    const fetch = await socket.imap('f', 'FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)');
    await socket.close();
    const rows = fetch.filter((l) => l.startsWith('* '));
    assert.equal(rows.length, seeded.length);
    rows.forEach((row, i) => {
      assert.equal(row.includes('\\Seen'), seen[i], row);
      assert.match(row, new RegExp(`RFC822\\.SIZE ${seeded[i]!.size}\\b`), row);
      const date = /INTERNALDATE "([^"]+)"/.exec(row)![1]!;
      assert.equal(
        new Date(date.replace(/^(\d+)-(\w+)-(\d+)/, '$2 $1 $3')).getTime(),
        dates[i]!.getTime(),
        row,
      );
    });
  });

  it('POP3 offers STLS, UIDL, TOP, PIPELINING and RESP-CODES, and STLS upgrades', async () => {
    const socket = await LineSocket.connect({ host: server.host, port: server.ports.pop3 });
    assert.match(await socket.readLine(), /^\+OK/);
    const capa = await socket.pop3('CAPA', true);
    for (const cap of ['STLS', 'UIDL', 'TOP', 'PIPELINING', 'RESP-CODES', 'USER', 'AUTH-RESP-CODE']) {
      assert.ok(capa.includes(cap), `${cap} missing from ${capa.join(' | ')}`);
    }
    assert.ok(capa.some((l) => /^SASL .*PLAIN/.test(l)));
    assert.match((await socket.pop3('STLS'))[0]!, /^\+OK/);
    await socket.startTls(TLS(server));
    const secureCapa = await socket.pop3('CAPA', true);
    assert.ok(!secureCapa.includes('STLS'));
    assert.match((await socket.pop3(`USER ${USER}`))[0]!, /^\+OK/);
    assert.match((await socket.pop3(`PASS ${PASS}`))[0]!, /^\+OK/);
    await socket.pop3('QUIT');
    await socket.close();
  });

  it('POP3S logs in and STAT counts the seeded messages and octets', async () => {
    const socket = await LineSocket.connect({
      host: server.host,
      port: server.ports.pop3s,
      tls: TLS(server),
    });
    assert.match(await socket.readLine(), /^\+OK/);
    assert.match((await socket.pop3(`USER ${USER}`))[0]!, /^\+OK/);
    assert.match((await socket.pop3(`PASS ${PASS}`))[0]!, /^\+OK/);
    const octets = seeded.reduce((sum, m) => sum + m.size, 0);
    assert.equal((await socket.pop3('STAT'))[0], `+OK ${seeded.length} ${octets}`);
    const uidl = await socket.pop3('UIDL', true);
    assert.equal(uidl.length, seeded.length + 2);
    const uids = new Set(uidl.slice(1, -1).map((l) => l.split(' ')[1]));
    assert.equal(uids.size, seeded.length, 'UIDLs are unique');
    const top = await socket.pop3('TOP 1 0', true);
    assert.ok(top.includes(`Message-ID: ${seeded[0]!.messageId}`), top.join('\n'));
    assert.equal(top.at(-2), '', 'TOP n 0 ends with the blank line after the header');
    await socket.pop3('QUIT');
    await socket.close();
  });

  it('rejects a wrong password', async () => {
    const socket = await imaps(server);
    assert.match((await socket.imap('l', `LOGIN ${USER} wrong`)).at(-1)!, /^l NO \[AUTHENTICATIONFAILED\]/);
    await socket.close();
  });

  it('addUser works after start, and a changed password takes effect at once', async () => {
    await server.addUser('bob', 'first');
    const first = await imapClient(server, 'bob', 'first');
    await first.logout();
    await server.addUser('bob', 'other');
    const socket = await imaps(server);
    assert.match((await socket.imap('a', 'LOGIN bob first')).at(-1)!, /^a NO/);
    assert.match((await socket.imap('b', 'LOGIN bob other')).at(-1)!, /^b OK/);
    await socket.close();
  });

  it('imapClient acts as another client: APPEND and flag changes show up', async () => {
    const client = await imapClient(server, USER, PASS);
    try {
      const appended = await client.append('INBOX', makeMessage(100, { seed: 7, size: 'small' }).raw, [
        '\\Flagged',
      ]);
      assert.ok(appended && appended.uid !== undefined && appended.uid > 0);
      const lock = await client.getMailboxLock('INBOX');
      try {
        assert.equal(client.mailbox ? client.mailbox.exists : -1, seeded.length + 1);
        await client.messageFlagsAdd({ uid: String(appended.uid) }, ['\\Seen'], { uid: true });
        const msg = await client.fetchOne(String(appended.uid), { flags: true }, { uid: true });
        assert.ok(msg, 'fetched');
        assert.deepEqual([...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort(), [
          '\\Flagged',
          '\\Seen',
        ]);
        await client.messageDelete({ uid: String(appended.uid) }, { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('seeds into a named folder, non-ASCII names included', async () => {
    const folders = ['Work/Projects', 'Données'];
    for (const folder of folders)
      seedMaildir(server, USER, makeMailbox(3, { seed: 9, size: 'small' }), { folder });
    const client = await imapClient(server, USER, PASS);
    try {
      for (const folder of folders) {
        const status = await client.status(folder, { messages: true, unseen: true });
        assert.ok(status, folder);
        assert.equal(status.messages, 3, folder);
        assert.equal(status.unseen, 3, folder);
      }
    } finally {
      await client.logout();
    }
  });

  it('names seeded files with the size Dovecot reports, bare LFs counted as CRLF', async () => {
    await server.addUser('lf', 'lf-pass');
    // A leading LF, LFs after CRLF, a bare CR, and one at the very end: W= must count 4 extra.
    const raw = '\nFrom: a@example.com\nSubject: bare\r\n\r\nline\rone\r\n\nend\n';
    const [file] = seedMaildir(server, 'lf', [raw]).files;
    assert.match(file!, new RegExp(`,S=${raw.length},W=${raw.length + 4}\\b`));
    const socket = await imaps(server);
    await socket.imap('l', 'LOGIN lf lf-pass');
    await socket.imap('e', 'EXAMINE INBOX');
    const fetched = await socket.imap('f', 'FETCH 1 (RFC822.SIZE)');
    assert.ok(
      fetched.some((l) => l.includes(`RFC822.SIZE ${raw.length + 4}`)),
      fetched.join('\n'),
    );
    await socket.close();
  });

  it('seeds 10,000 messages on a small CPU budget, all visible to IMAP STATUS and POP3 STAT', async () => {
    await server.addUser('bulk', 'bulk-pass');
    const messages = Array.from(
      { length: 10_000 },
      (_, i) =>
        `From: Load <load@example.com>\r\nTo: bulk@biff.test\r\nSubject: Bulk message ${i}\r\n` +
        `Message-ID: <bulk-${i}@example.com>\r\nDate: Mon, 01 Jan 2024 00:00:00 +0000\r\n\r\nBody ${i}\r\n`,
    );
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = seedMaildir(server, 'bulk', messages, { seen: messages.map((_, i) => i % 2 === 0) });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(`# seeded 10,000 messages in ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU)`);
    assert.equal(result.files.length, 10_000);
    assert.equal(readdirSync(`${result.path}/new`).length + readdirSync(`${result.path}/cur`).length, 10_000);

    const socket = await imaps(server);
    await socket.imap('l', 'LOGIN bulk bulk-pass');
    const status = statusItems(await socket.imap('s', 'STATUS INBOX (MESSAGES UNSEEN UIDNEXT)'));
    assert.deepEqual(status, { MESSAGES: 10_000, UNSEEN: 5_000, UIDNEXT: 10_001 });
    // UIDs follow the order of the array.
    await socket.imap('e', 'EXAMINE INBOX');
    const last = await socket.imap('f', 'UID FETCH 10000 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.ok(last.includes('Subject: Bulk message 9999'), last.join('\n'));
    await socket.close();

    const pop = await LineSocket.connect({ host: server.host, port: server.ports.pop3s, tls: TLS(server) });
    await pop.readLine();
    await pop.pop3('USER bulk');
    await pop.pop3('PASS bulk-pass');
    const octets = messages.reduce((sum, m) => sum + m.length, 0);
    assert.equal((await pop.pop3('STAT'))[0], `+OK 10000 ${octets}`);
    await pop.pop3('QUIT');
    await pop.close();
  });
});

describe('test Dovecot, switches', () => {
  it('qresync: false advertises neither CONDSTORE nor QRESYNC, before or after login', async () => {
    const server = await startDovecot({ qresync: false, users: [{ user: USER, pass: PASS }] });
    try {
      const socket = await LineSocket.connect({ host: server.host, port: server.ports.imap });
      const greeting = capabilities([await socket.readLine()]);
      await socket.close();
      const caps = await postLoginCapabilities(server);
      for (const set of [greeting, caps]) {
        assert.ok(!set.has('CONDSTORE') && !set.has('QRESYNC'), [...set].join(' '));
        assert.ok(set.has('IDLE'));
      }
      assert.ok(caps.has('COMPRESS=DEFLATE'));
      // SELECT reports no HIGHESTMODSEQ, and a client that goes by the capabilities enables nothing.
      const socket2 = await imaps(server);
      await socket2.imap('l', `LOGIN ${USER} "${PASS}"`);
      const select = await socket2.imap('s', 'SELECT INBOX');
      await socket2.close();
      assert.ok(!select.some((l) => l.includes('HIGHESTMODSEQ')), select.join('\n'));
      const client = await imapClient(server, USER, PASS);
      assert.deepEqual([...client.enabled], []);
      await client.logout();
    } finally {
      await server.stop();
    }
  });

  it('idle: false drops IDLE and compress: false drops COMPRESS=DEFLATE; CONDSTORE stays', async () => {
    const server = await startDovecot({ idle: false, compress: false, users: [{ user: USER, pass: PASS }] });
    try {
      const caps = await postLoginCapabilities(server);
      assert.ok(!caps.has('IDLE'), [...caps].join(' '));
      assert.ok(!caps.has('COMPRESS=DEFLATE'));
      assert.ok(caps.has('CONDSTORE') && caps.has('QRESYNC'));
    } finally {
      await server.stop();
    }
  });
});

describe('test Dovecot, lifecycle', () => {
  it('stop() ends the master and every child, frees the ports and removes the folder', async () => {
    const started = performance.now();
    const server = await startDovecot({ users: [{ user: USER, pass: PASS }] });
    const startMs = performance.now() - started;
    // A logged-in session means an imap process (and login processes) exist to be cleaned up.
    const client = await imapClient(server, USER, PASS);
    await client.mailboxOpen('INBOX');
    const tree = [server.pid, ...descendants(server.pid)];
    assert.ok(tree.length >= 5, `expected master + children, got ${tree.length}`);
    const stopStarted = performance.now();
    await server.stop();
    const stopMs = performance.now() - stopStarted;
    console.log(`# start ${startMs.toFixed(0)} ms, stop ${stopMs.toFixed(0)} ms`);
    client.close();
    for (const pid of tree) assert.ok(isGone(pid), `pid ${pid} still running`);
    for (const port of Object.values(server.ports))
      assert.ok(await portRefuses(port), `port ${port} still open`);
    assert.ok(!existsSync(server.dir));
    assert.match(server.logs(), /starting up for imap, pop3/);
    await server.stop(); // idempotent
  });
});

describe('message generator', () => {
  it('makes messages that parse back to what it says, for every kind', async () => {
    const kinds: MessageKind[] = ['plain', 'reply', 'alternative', 'newsletter', 'attachment'];
    for (const kind of kinds) {
      for (const i of [0, 5, 11]) {
        const m = makeMessage(i, { kind, size: 9_000 });
        assert.equal(m.raw, makeMessage(i, { kind, size: 9_000 }).raw, 'deterministic');
        assert.ok(!/[^\r]\n|\r(?!\n)/.test(m.raw), 'CRLF only');
        assert.ok(/^[\t\r\n\x20-\x7e]*$/.test(m.raw), '7-bit');
        const parsed = await PostalMime.parse(m.raw);
        assert.equal(parsed.subject, m.subject);
        assert.equal(parsed.from?.address, m.from.address);
        assert.equal(parsed.messageId, m.messageId);
        assert.ok((parsed.text ?? '').includes(m.snippet.slice(0, 30)), `${kind} ${i}: snippet`);
        if (kind === 'newsletter' || kind === 'alternative') assert.ok(parsed.html);
        if (kind === 'newsletter') for (const url of m.remoteImages) assert.ok(parsed.html?.includes(url));
        if (kind === 'attachment') {
          assert.equal(parsed.attachments.length, 1);
          assert.equal(parsed.attachments[0]!.filename, m.attachment?.filename);
          assert.equal(parsed.attachments[0]!.mimeType, m.attachment?.contentType);
          assert.equal((parsed.attachments[0]!.content as ArrayBuffer).byteLength, m.attachment?.size);
        }
      }
    }
  });

  it("'mixed' sizes span 2-60 KB around a 20 KB mean; makeMessage(i) equals makeMailbox()[i]", () => {
    const box = makeMailbox(400, { seed: 3 });
    const sizes = box.map((m) => m.size);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    assert.ok(mean > 16_000 && mean < 24_000, `mean ${mean}`);
    assert.ok(
      Math.min(...sizes) >= 1_500 && Math.max(...sizes) <= 61_000,
      `${Math.min(...sizes)}–${Math.max(...sizes)}`,
    );
    assert.equal(box[123]!.raw, makeMessage(123, { seed: 3 }).raw);
    for (let i = 1; i < box.length; i++) assert.ok(box[i]!.date > box[i - 1]!.date, 'dates increase');
    const subjects = new Set(box.map((m) => m.subject));
    for (const s of [
      'Grüße aus München',
      '会議の議事録（第3四半期）',
      '🎉 You are invited: launch party on Thursday',
    ]) {
      assert.ok(
        [...subjects].some((x) => x.includes(s)),
        s,
      );
    }
  });

  it('hostileHtmlMessage carries every vector in a parseable HTML part', async () => {
    const h = hostileHtmlMessage();
    const parsed = await PostalMime.parse(h.raw);
    assert.equal(parsed.html?.trimEnd(), h.html);
    for (const url of Object.values(h.autoLoadUrls)) {
      if (!url.includes('/base/')) assert.ok(h.html.includes(url), url);
    }
    const lower = h.html.toLowerCase();
    for (const marker of h.activeMarkers) assert.ok(lower.includes(marker), marker);
    for (const text of h.visibleText) assert.ok(h.html.includes(text));
  });
});
