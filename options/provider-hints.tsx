/** What the address's provider needs before a password sign-in works (app password, enabling access, OAuth). */
import { providerForEmail } from '../extension/providers/guess.ts';
import type { ProviderRequirement } from '../extension/providers/table.ts';
import { t } from '../extension/ui/i18n.ts';

const HINT_KEYS: Record<ProviderRequirement, string> = {
  'app-password': 'options_hintAppPassword',
  'enable-access': 'options_hintEnableAccess',
  oauth: 'options_hintOauth',
};

/** The hints for `email`'s provider, or nothing for an unknown one. */
export function ProviderHints({ email, id }: { email: string; id: string }) {
  const provider = providerForEmail(email);
  if (!provider || provider.requires.length === 0) return null;
  return (
    <ul class="provider-hints" id={id}>
      {provider.requires.map((need) => (
        <li key={need}>{t(HINT_KEYS[need], provider.name)}</li>
      ))}
    </ul>
  );
}
