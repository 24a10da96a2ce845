/** The relay's one error class (STYLE.md convention 6): every refusal carries a protocol code. */
import type { CertificateDetails, RelayErrorCode } from './protocol.ts';

/** A failure the client is told about with an `error` frame. */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    /** With `tls_untrusted`: the certificate the user may choose to pin. */
    readonly certificate?: CertificateDetails,
  ) {
    super(message);
  }
}
