/**
 * Which honest-state banners the popup shows, derived from what it knows: the accounts, the
 * background's status (per-account errors, the relay), whether the browser is online, and
 * whether the background or the cache answered at all. Pure, so every combination is tested.
 * The wording lives in state-banners.tsx; this decides only what and in which order.
 */
import type { AccountErrorKind, AccountStatus, RelayStatus } from '../extension/contract.ts';

/** One banner; account ids say which accounts it concerns. */
export type Banner =
  | { kind: 'cache-unavailable'; detail: string }
  | { kind: 'no-accounts' }
  | { kind: 'offline' }
  | { kind: 'background-down'; detail: string }
  | { kind: 'locked' }
  | { kind: 'relay-unreachable' }
  | { kind: 'relay-refused'; detail: string }
  | { kind: 'relay-outdated'; detail: string }
  | { kind: 'auth'; accountIds: string[] }
  | { kind: 'certificate'; accountIds: string[] }
  | { kind: 'server-unreachable'; accountIds: string[] }
  | { kind: 'account-error'; accountId: string; detail: string };

/** What the banners depend on. */
export interface BannerInput {
  /** Known accounts; null while not known yet (nothing read so far). */
  accounts: readonly { id: string }[] | null;
  /** From `getStatus` / `status` events; null before the first answer. */
  statuses: readonly AccountStatus[] | null;
  relay: RelayStatus | null;
  online: boolean;
  /** Why the background did not answer, or null when it did (or was not asked yet). */
  backgroundError: string | null;
  /** Why the cache could not be opened, or null. */
  cacheError: string | null;
  /** The primary password waits to be entered (the background's status). */
  locked: boolean;
}

/**
 * The relay's refusal (relay/PROTOCOL.md) and "not paired yet" (no token saved): both are
 * fixed in the settings, not by starting the relay. Anything else means it was not reached.
 */
const FIX_IN_SETTINGS = new Set(['relay_refused', 'relay_unpaired']);

/** Error kinds that mean "the network path failed", which being offline already explains. */
const NETWORK_KINDS: ReadonlySet<AccountErrorKind> = new Set(['relay', 'unreachable', 'timeout']);

/** The banners to show, most fundamental first. */
export function bannersFor(input: BannerInput): Banner[] {
  const banners: Banner[] = [];
  if (input.cacheError !== null) banners.push({ kind: 'cache-unavailable', detail: input.cacheError });
  const known = new Set(input.accounts?.map((a) => a.id) ?? []);
  const statuses = input.statuses ?? [];
  const noAccounts =
    (input.accounts !== null &&
      input.accounts.length === 0 &&
      (input.statuses === null || statuses.length === 0)) ||
    (input.accounts === null && input.statuses !== null && statuses.length === 0);
  if (noAccounts) {
    // Nothing else can be wrong with accounts that do not exist.
    banners.push({ kind: 'no-accounts' });
    return banners;
  }
  if (!input.online) banners.push({ kind: 'offline' });
  if (input.backgroundError !== null)
    banners.push({ kind: 'background-down', detail: input.backgroundError });
  if (input.locked) {
    // One question instead of a failure per account: nothing is checked while locked, so the
    // accounts' old errors and the relay's (its token is sealed too) would only be noise.
    banners.push({ kind: 'locked' });
    return banners;
  }

  const errors = statuses.filter(
    (s): s is AccountStatus & { error: NonNullable<AccountStatus['error']> } =>
      s.error !== undefined && (known.size === 0 || known.has(s.accountId)),
  );
  if (input.online) {
    const relayError =
      input.relay && !input.relay.ok ? input.relay : errors.find((s) => s.error.kind === 'relay')?.error;
    if (relayError) {
      banners.push(
        relayError.code === 'relay_outdated'
          ? { kind: 'relay-outdated', detail: relayError.message }
          : FIX_IN_SETTINGS.has(relayError.code ?? '')
            ? { kind: 'relay-refused', detail: relayError.message }
            : { kind: 'relay-unreachable' },
      );
    }
  }
  const ids = (kinds: AccountErrorKind[]) =>
    errors.filter((s) => kinds.includes(s.error.kind)).map((s) => s.accountId);
  const auth = ids(['auth']);
  if (auth.length > 0) banners.push({ kind: 'auth', accountIds: auth });
  const certificate = ids(['certificate']);
  if (certificate.length > 0) banners.push({ kind: 'certificate', accountIds: certificate });
  if (input.online) {
    const unreachable = ids(['unreachable', 'timeout']);
    if (unreachable.length > 0) banners.push({ kind: 'server-unreachable', accountIds: unreachable });
  }
  for (const s of errors) {
    if (!NETWORK_KINDS.has(s.error.kind) && s.error.kind !== 'auth' && s.error.kind !== 'certificate') {
      banners.push({ kind: 'account-error', accountId: s.accountId, detail: s.error.message });
    }
  }
  return banners;
}
