/**
 * "Test connection": a staged check of unsaved account settings (relay reachable → server
 * reachable → TLS → login → INBOX), reporting the first failing stage with a plain reason, and
 * the certificate details when it is not trusted so the user can pin it.
 */
import type { Account } from '../accounts.ts';
import type { ProbeReport, ProbeStage } from '../contract.ts';
import type { ProtocolProbe } from '../mail/driver.ts';
import type { RelayEndpoint, Transport, TransportFactory } from '../relay/transport.ts';
import { classifyError } from './classify.ts';

export const STAGES: readonly ProbeStage[] = ['relay', 'server', 'tls', 'login', 'inbox'];

const STAGE_OF_CODE: Record<string, ProbeStage> = {
  relay_unreachable: 'relay',
  relay_refused: 'relay',
  relay_protocol: 'relay',
  too_many_sessions: 'relay',
  dns_failed: 'server',
  connect_refused: 'server',
  connect_timeout: 'server',
  target_denied: 'server',
  bad_request: 'server',
  tls_untrusted: 'tls',
  tls_failed: 'tls',
  stls_failed: 'tls',
  tls_required: 'tls',
  auth_failed: 'login',
};

/** Runs the staged check. `checkRelay` proves the relay accepts us before any mail connection. */
export async function testConnection(
  relay: RelayEndpoint,
  checkRelay: (endpoint: RelayEndpoint) => Promise<string>,
  open: TransportFactory,
  probe: ProtocolProbe,
  account: Account,
  password: string,
): Promise<ProbeReport> {
  const stages: ProbeReport['stages'] = STAGES.map((stage) => ({ stage, ok: null, detail: '' }));
  const set = (stage: ProbeStage, ok: boolean, detail: string) => {
    const entry = stages.find((s) => s.stage === stage)!;
    entry.ok = ok;
    entry.detail = detail;
  };
  const fail = (stage: ProbeStage, err: unknown): ProbeReport => {
    const c = classifyError(err);
    set(stage, false, c.message);
    for (const earlier of STAGES.slice(0, STAGES.indexOf(stage))) {
      const entry = stages.find((s) => s.stage === earlier)!;
      if (entry.ok === null) entry.ok = true;
    }
    return {
      ok: false,
      stages,
      failed: { stage, code: c.code, message: c.message },
      ...(c.certificate ? { certificate: c.certificate } : {}),
    };
  };

  try {
    const version = await checkRelay(relay);
    set('relay', true, `Relay ${version} connected`);
  } catch (err) {
    return fail('relay', err);
  }

  let transport: Transport | null = null;
  let loggedIn = false;
  const recordingOpen: TransportFactory = async (target) => {
    const t = await open(target);
    transport ??= t;
    return t;
  };
  try {
    const outcome = await probe(recordingOpen, account, password, () => {
      loggedIn = true;
    });
    const t = transport as Transport | null;
    set('server', true, t ? `Connected to ${t.remote}` : 'Connected');
    set('tls', true, tlsDetail(t, account));
    set('login', true, `Logged in as ${account.username}`);
    set('inbox', true, `INBOX has ${outcome.inboxCount} message${outcome.inboxCount === 1 ? '' : 's'}`);
    return {
      ok: true,
      stages,
      ...(t?.tls ? { tls: t.tls } : {}),
      ...(outcome.folders ? { folders: outcome.folders } : {}),
      inboxCount: outcome.inboxCount,
    };
  } catch (err) {
    const c = classifyError(err);
    const t = transport as Transport | null;
    const stage =
      STAGE_OF_CODE[c.code] ?? (loggedIn ? 'inbox' : c.kind === 'auth' ? 'login' : t ? 'login' : 'server');
    if (t && STAGES.indexOf(stage) > STAGES.indexOf('server'))
      set('server', true, `Connected to ${t.remote}`);
    if (t && STAGES.indexOf(stage) > STAGES.indexOf('tls')) set('tls', true, tlsDetail(t, account));
    return fail(stage, err);
  }
}

function tlsDetail(t: Transport | null, account: Account): string {
  if (account.security === 'none') return 'Not encrypted: the password travels in clear';
  const tls = t?.tls;
  if (!tls) return 'Encrypted';
  const trust = tls.authorized ? 'trusted certificate' : 'the certificate you trusted';
  return `${tls.protocol ?? 'TLS'}, ${trust}`;
}
