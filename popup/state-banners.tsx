/**
 * The honest-state banners (decided in banners.ts): what is wrong, in plain words, and the one
 * thing to do about it. The relay banner shows the exact command to start the relay; the
 * locked banner asks for the primary password right there.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import type { AccountInfo } from './account-info.ts';
import type { Banner } from './banners.ts';

/**
 * The command that starts the relay when Biff does not know a better one: the `biff-relay`
 * package's command. Pairing automatically stores the exact command of the installed relay.
 */
export const RELAY_COMMAND = 'biff-relay';

export interface StateBannersProps {
  banners: readonly Banner[];
  accounts: readonly AccountInfo[];
  onOpenSettings(): void;
  /** Enters the primary password; rejects with the reason to show (a wrong password says so). */
  onUnlock(password: string): Promise<void>;
  /** Fill the popup (nothing else to show, as with no accounts). */
  fill?: boolean;
  /** The command that starts the installed relay; default RELAY_COMMAND. */
  relayCommand?: string | undefined;
}

function names(ids: readonly string[], accounts: readonly AccountInfo[]): string {
  return ids.map((id) => accounts.find((a) => a.id === id)?.name ?? id).join(', ');
}

function CopyCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="command">
      <code>{command}</code>
      <button
        type="button"
        onClick={() => {
          navigator.clipboard.writeText(command).then(
            () => setCopied(true),
            // Without clipboard access the command is still there to select by hand.
            (error: unknown) => console.warn('copy failed:', error),
          );
        }}
      >
        {copied ? t('popup_copied') : t('popup_copy')}
      </button>
    </div>
  );
}

interface CardProps {
  tone: 'info' | 'warning' | 'error';
  title: string;
  body?: string;
  children?: ComponentChildren;
}

function Card({ tone, title, body, children }: CardProps) {
  return (
    <section class={`banner banner-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <h2 class="banner-title">{title}</h2>
      {body && <p class="banner-body">{body}</p>}
      {children}
    </section>
  );
}

/** The primary password's field and "Unlock", asked once for every account. */
function UnlockForm({ onUnlock }: Pick<StateBannersProps, 'onUnlock'>) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // Asked once, ready to type: the popup opened locked is there to be unlocked.
  useEffect(() => input.current?.focus(), []);
  async function submit(event: Event) {
    event.preventDefault();
    if (password === '' || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onUnlock(password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }
  return (
    <form class="unlock-form" onSubmit={submit}>
      <label class="unlock-field">
        <span>{t('popup_primary_password')}</span>
        <input
          ref={input}
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          aria-invalid={error !== null}
          aria-describedby={error ? 'unlock-error' : undefined}
        />
      </label>
      <button type="submit" class="primary" disabled={busy || password === ''}>
        {t('popup_unlock')}
      </button>
      {error && (
        <p id="unlock-error" class="unlock-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function BannerView({
  banner,
  accounts,
  onOpenSettings,
  relayCommand,
  onUnlock,
}: { banner: Banner } & Pick<
  StateBannersProps,
  'accounts' | 'onOpenSettings' | 'relayCommand' | 'onUnlock'
>) {
  const settings = (label: string) => (
    <button type="button" class="banner-action" onClick={onOpenSettings}>
      {label}
    </button>
  );
  switch (banner.kind) {
    case 'cache-unavailable':
      return <Card tone="error" title={t('popup_banner_cache_title')} body={banner.detail} />;
    case 'no-accounts':
      return (
        <Card
          tone="info"
          title={t('popup_banner_no_accounts_title')}
          body={t('popup_banner_no_accounts_body')}
        >
          <button type="button" class="primary banner-action" onClick={onOpenSettings}>
            {t('popup_add_account')}
          </button>
        </Card>
      );
    case 'locked':
      return (
        <Card tone="info" title={t('popup_banner_locked_title')} body={t('popup_banner_locked_body')}>
          <UnlockForm onUnlock={onUnlock} />
        </Card>
      );
    case 'offline':
      return (
        <Card tone="info" title={t('popup_banner_offline_title')} body={t('popup_banner_offline_body')} />
      );
    case 'background-down':
      return (
        <Card
          tone="warning"
          title={t('popup_banner_background_title')}
          body={t('popup_banner_background_body', banner.detail)}
        />
      );
    case 'relay-unreachable':
      return (
        <Card
          tone="warning"
          title={t('popup_banner_relay_unreachable_title')}
          body={t('popup_banner_relay_unreachable_body')}
        >
          <CopyCommand command={relayCommand ?? RELAY_COMMAND} />
        </Card>
      );
    case 'relay-refused':
      return (
        <Card
          tone="error"
          title={t('popup_banner_relay_refused_title')}
          body={t('popup_banner_relay_refused_body', banner.detail)}
        >
          {settings(t('popup_open_settings'))}
        </Card>
      );
    case 'relay-outdated':
      return <Card tone="error" title={t('popup_banner_relay_outdated_title')} body={banner.detail} />;
    case 'auth':
      return (
        <Card
          tone="error"
          title={t('popup_banner_auth_title', names(banner.accountIds, accounts))}
          body={t('popup_banner_auth_body')}
        >
          {settings(t('popup_fix_account'))}
        </Card>
      );
    case 'certificate':
      return (
        <Card
          tone="error"
          title={t('popup_banner_certificate_title', names(banner.accountIds, accounts))}
          body={t('popup_banner_certificate_body')}
        >
          {settings(t('popup_review_certificate'))}
        </Card>
      );
    case 'server-unreachable':
      return (
        <Card
          tone="warning"
          title={t('popup_banner_unreachable_title', names(banner.accountIds, accounts))}
          body={t('popup_banner_unreachable_body')}
        />
      );
    case 'account-error':
      return (
        <Card
          tone="error"
          title={t('popup_banner_account_error_title', names([banner.accountId], accounts))}
          body={banner.detail}
        >
          {settings(t('popup_open_settings'))}
        </Card>
      );
  }
}

export function StateBanners({
  banners,
  accounts,
  onOpenSettings,
  onUnlock,
  fill,
  relayCommand,
}: StateBannersProps) {
  if (banners.length === 0) return null;
  return (
    <div class={fill ? 'banners fill' : 'banners'}>
      {banners.map((banner) => (
        <BannerView
          key={banner.kind}
          banner={banner}
          accounts={accounts}
          onOpenSettings={onOpenSettings}
          relayCommand={relayCommand}
          onUnlock={onUnlock}
        />
      ))}
    </div>
  );
}
