import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const dir = import.meta.dirname;
const messages = JSON.parse(readFileSync(join(dir, 'messages.en.json'), 'utf8')) as Record<
  string,
  { message: string; description?: string }
>;
const sources = readdirSync(dir)
  .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .join('\n');
const used = new Set(sources.match(/'options_[A-Za-z0-9_]+'/g)?.map((k) => k.slice(1, -1)));

test('every options_ key the page uses is defined, and every defined key is used', () => {
  assert.ok(used.size > 50);
  assert.deepEqual(
    [...used].filter((k) => !(k in messages)),
    [],
  );
  assert.deepEqual(
    Object.keys(messages).filter((k) => !used.has(k)),
    [],
  );
});

test('keys are prefixed options_ and every entry has a message and a description', () => {
  for (const [key, value] of Object.entries(messages)) {
    assert.match(key, /^options_[A-Za-z0-9_]+$/);
    assert.ok(value.message.length > 0, key);
    assert.ok(value.description && value.description.length > 0, key);
  }
});

test('the accessible names the acceptance suite drives are exactly these', () => {
  const names: Record<string, string> = {
    options_emailAddress: 'Email address',
    options_password: 'Password',
    options_server: 'Server',
    options_port: 'Port',
    options_username: 'Username',
    options_relayUrl: 'Relay URL',
    options_pairingToken: 'Pairing token',
    options_protocol: 'Protocol',
    options_protocolImap: 'IMAP',
    options_protocolPop3: 'POP3',
    options_security: 'Security',
    options_securityTls: 'TLS',
    options_securityStarttls: 'STARTTLS',
    options_securityNone: 'None',
    options_leaveCopy: 'Leave a copy on the server',
    options_addAccount: 'Add account',
    options_testConnection: 'Test connection',
    options_save: 'Save',
    options_removeAccount: 'Remove account',
    options_trustCertificate: 'Trust this certificate',
    options_saveRelay: 'Save relay settings',
    options_savePrefs: 'Save preferences',
  };
  for (const [key, text] of Object.entries(names)) assert.equal(messages[key]?.message, text, key);
});

test('a literal $ is only used for $1…$9 substitutions', () => {
  for (const [key, { message }] of Object.entries(messages)) assert.doesNotMatch(message, /\$(?![1-9])/, key);
});
