/** An untrusted server certificate, shown so the user can decide to trust (pin) it. */
import type { CertificateDetails } from '../extension/relay/transport.ts';
import { t } from '../extension/ui/i18n.ts';

interface Props {
  certificate: CertificateDetails;
  onTrust: () => void;
  busy: boolean;
}

/** Dates as the relay sends them (Node's `valid_to` text), shown in the user's locale when they parse. */
function formatDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function CertificateCard({ certificate, onTrust, busy }: Props) {
  return (
    <section class="certificate" aria-labelledby="certificate-heading">
      <h3 id="certificate-heading">{t('options_certHeading')}</h3>
      <p>{t('options_certExplain')}</p>
      <dl>
        <dt>{t('options_certFingerprint')}</dt>
        <dd>
          <code class="fingerprint">{certificate.fingerprint256}</code>
        </dd>
        <dt>{t('options_certSubject')}</dt>
        <dd>{certificate.subject}</dd>
        <dt>{t('options_certIssuer')}</dt>
        <dd>{certificate.issuer}</dd>
        <dt>{t('options_certValidity')}</dt>
        <dd>
          {t('options_certValidRange', formatDate(certificate.validFrom), formatDate(certificate.validTo))}
        </dd>
        <dt>{t('options_certReason')}</dt>
        <dd>
          <code>{certificate.reason}</code>
        </dd>
      </dl>
      <button type="button" class="primary" onClick={onTrust} disabled={busy}>
        {t('options_trustCertificate')}
      </button>
    </section>
  );
}
