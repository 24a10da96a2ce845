// A fresh self-signed certificate per server, so no test can come to depend on a fixed key and
// the "unknown certificate" path is exercised for real.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The certificate as tests need it. */
export interface TestCertificate {
  certPath: string;
  keyPath: string;
  certPem: string;
  /** SHA-256 fingerprint as Node's X509Certificate.fingerprint256 writes it ("AB:CD:…"). */
  fingerprint256: string;
}

/**
 * Writes cert.pem and key.pem into `dir`: P-256 (fast to generate), CN=localhost, SAN
 * DNS:localhost and IP:127.0.0.1, valid for 7 days, CA:FALSE so it is a plain server certificate.
 */
export function makeSelfSignedCertificate(dir: string): TestCertificate {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  // biome-ignore format: one openssl option and its value per pair reads best
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '7', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const certPem = readFileSync(certPath, 'utf8');
  return { certPath, keyPath, certPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
}
