/** Display names of protocols and TLS modes, shared by the selects and the summaries. */
import type { Protocol } from '../extension/accounts.ts';
import type { TlsMode } from '../extension/relay/transport.ts';
import { t } from '../extension/ui/i18n.ts';

/** "IMAP", "POP3". */
export function protocolLabel(protocol: Protocol): string {
  return protocol === 'imap' ? t('options_protocolImap') : t('options_protocolPop3');
}

/** "TLS", "STARTTLS", "None". */
export function securityLabel(security: TlsMode): string {
  if (security === 'implicit') return t('options_securityTls');
  return security === 'starttls' ? t('options_securityStarttls') : t('options_securityNone');
}

/** e.g. "IMAP · imap.example.org:993 · TLS". */
export function serverSummary(s: {
  protocol: Protocol;
  host: string;
  port: number;
  security: TlsMode;
}): string {
  return `${protocolLabel(s.protocol)} · ${s.host}:${s.port} · ${securityLabel(s.security)}`;
}
