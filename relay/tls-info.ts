/**
 * What the relay tells the client about an upstream certificate: the `tls` object of
 * `connected`/`secured` and the `certificate` of `tls_untrusted` (relay/protocol.ts).
 */
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { CertificateDetails, TlsInfo } from './protocol.ts';

/** `{CN: 'x', O: ['a', 'b']}` → `CN=x, O=a, O=b` (Node's order). */
export function formatName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`))
    .join(', ');
}

/** OpenSSL's `Mar  1 12:00:00 2027 GMT` → ISO 8601; left as is if it does not parse. */
export function isoDate(text: string | undefined): string {
  if (!text) return '';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

function leaf(socket: TLSSocket): PeerCertificate | null {
  const cert = socket.getPeerCertificate();
  return cert && Object.keys(cert).length > 0 ? cert : null;
}

/** The `tls` object of `connected` and `secured`. */
export function tlsInfo(socket: TLSSocket, authorized: boolean): TlsInfo {
  const cert = leaf(socket);
  return {
    authorized,
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    fingerprint256: cert?.fingerprint256 ?? '',
    subject: formatName(cert?.subject as Record<string, string | string[]> | undefined),
    issuer: formatName(cert?.issuer as Record<string, string | string[]> | undefined),
    validTo: isoDate(cert?.valid_to),
  };
}

/** The `certificate` of a `tls_untrusted` error, so the user can decide to pin it. */
export function certificateDetails(socket: TLSSocket, reason: string): CertificateDetails {
  const cert = leaf(socket);
  return {
    fingerprint256: cert?.fingerprint256 ?? '',
    subject: formatName(cert?.subject as Record<string, string | string[]> | undefined),
    issuer: formatName(cert?.issuer as Record<string, string | string[]> | undefined),
    validFrom: isoDate(cert?.valid_from),
    validTo: isoDate(cert?.valid_to),
    reason,
  };
}
