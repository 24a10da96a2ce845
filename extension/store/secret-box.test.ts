import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from './errors.ts';
import {
  createVault,
  decodeKey,
  deriveKey,
  encodeKey,
  keyFits,
  MIN_ITERATIONS,
  openVault,
  PBKDF2_ITERATIONS,
  sealVault,
  unlockVault,
  type Vault,
  validateVault,
} from './secret-box.ts';

/** The lowest round count a vault may have: the tests derive many keys. */
const FAST = MIN_ITERATIONS;
const PASSWORD = 'correct horse battery staple ✓ "\\';
const PAYLOAD = { secrets: { 'work-1': { password: 'hunter2' } }, relayToken: 'pairing-token' };

const hasCode = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;

/** The vault with one base64 character of `field` flipped. */
function flip(vault: Vault, field: 'check' | 'box'): Vault {
  const bytes = Buffer.from(vault[field].data, 'base64');
  bytes[bytes.length >> 1]! ^= 0x01;
  return { ...vault, [field]: { ...vault[field], data: bytes.toString('base64') } };
}

test('round trip: the password opens what it sealed, and nothing of it is readable in the vault', async () => {
  const { vault, key } = await createVault(PASSWORD, PAYLOAD);
  assert.equal(vault.kdf.iterations, PBKDF2_ITERATIONS, 'new vaults use today’s round count');
  const stored = JSON.stringify(vault);
  for (const secret of ['hunter2', 'pairing-token', 'work-1', PASSWORD])
    assert.ok(!stored.includes(secret), `${secret} is not in the stored vault`);
  assert.deepEqual(await openVault(vault, key), PAYLOAD);
  const again = await unlockVault(validateVault(JSON.parse(stored)), PASSWORD);
  assert.deepEqual(again, key, 'the same password derives the same key');
  assert.deepEqual(await openVault(vault, decodeKey(encodeKey(again))), PAYLOAD);
});

test('every seal has its own IV and salt', async () => {
  const a = await createVault(PASSWORD, PAYLOAD, FAST);
  const b = await createVault(PASSWORD, PAYLOAD, FAST);
  assert.notEqual(a.vault.kdf.salt, b.vault.kdf.salt);
  assert.notDeepEqual(a.key, b.key);
  const resealed = await sealVault(a.key, a.vault.kdf, PAYLOAD);
  assert.notEqual(resealed.box.iv, a.vault.box.iv);
  assert.notEqual(resealed.box.data, a.vault.box.data);
  assert.deepEqual(await openVault(resealed, a.key), PAYLOAD);
});

test('a wrong password is a typed wrong_password error, also for a stale session key', async () => {
  const { vault } = await createVault(PASSWORD, PAYLOAD, FAST);
  await assert.rejects(unlockVault(vault, 'correct horse battery stapl'), hasCode('wrong_password'));
  const other = await deriveKey('something else', vault.kdf);
  assert.equal(await keyFits(vault, other), false);
  await assert.rejects(openVault(vault, other), hasCode('wrong_password'));
  await assert.rejects(unlockVault(vault, ''), hasCode('invalid'));
});

test('changed ciphertext is a typed tampered error with the right key; a changed verifier reads as a wrong key', async () => {
  const { vault, key } = await createVault(PASSWORD, PAYLOAD, FAST);
  await assert.rejects(openVault(flip(vault, 'box'), key), hasCode('tampered'));
  const otherIv = { ...vault, box: { ...vault.box, iv: vault.check.iv } };
  await assert.rejects(openVault(otherIv, key), hasCode('tampered'));
  const swapped = { ...vault, box: vault.check };
  await assert.rejects(openVault(swapped, key), hasCode('tampered'), 'the verifier is not JSON secrets');
  await assert.rejects(openVault(flip(vault, 'check'), key), hasCode('wrong_password'));
  await assert.rejects(unlockVault(flip(vault, 'check'), PASSWORD), hasCode('wrong_password'));
});

test('changing the password re-encrypts: the old password and key open nothing of the new vault', async () => {
  const first = await createVault(PASSWORD, PAYLOAD, FAST);
  const payload = await openVault(first.vault, await unlockVault(first.vault, PASSWORD));
  const second = await createVault('new primary', payload, FAST);
  assert.notEqual(second.vault.box.data, first.vault.box.data);
  await assert.rejects(unlockVault(second.vault, PASSWORD), hasCode('wrong_password'));
  await assert.rejects(openVault(second.vault, first.key), hasCode('wrong_password'));
  assert.deepEqual(await openVault(second.vault, await unlockVault(second.vault, 'new primary')), PAYLOAD);
});

test('validateVault refuses what Biff did not write', async () => {
  const { vault } = await createVault(PASSWORD, PAYLOAD, FAST);
  assert.deepEqual(validateVault(JSON.parse(JSON.stringify(vault))), vault);
  const bad: [string, unknown][] = [
    ['v', null],
    ['v', { ...vault, v: 2 }],
    ['kdf', { ...vault, kdf: { ...vault.kdf, hash: 'SHA-1' } }],
    ['kdf.iterations', { ...vault, kdf: { ...vault.kdf, iterations: 1000 } }],
    ['kdf.iterations', { ...vault, kdf: { ...vault.kdf, iterations: 1e12 } }],
    ['kdf.salt', { ...vault, kdf: { ...vault.kdf, salt: 'AAAA' } }],
    ['box', { ...vault, box: { iv: 1 } }],
  ];
  for (const [field, value] of bad) {
    assert.throws(
      () => validateVault(value),
      (e: unknown) => hasCode('invalid')(e) && (e as Error).message.startsWith(`vault.${field}:`),
      field,
    );
  }
  assert.throws(() => decodeKey('AAAA'), hasCode('invalid'));
});
