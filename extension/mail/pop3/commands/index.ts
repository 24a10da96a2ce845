/** Every POP3 command, in one map (after imapflow's lib/commands/index.js). */
import { apop } from './apop.ts';
import { authOAuth, oauthAbort } from './auth-oauth.ts';
import { authPlain } from './auth-plain.ts';
import { capa } from './capa.ts';
import { dele } from './dele.ts';
import { list } from './list.ts';
import { noop } from './noop.ts';
import { pass } from './pass.ts';
import { quit } from './quit.ts';
import { retr } from './retr.ts';
import { rset } from './rset.ts';
import { saslCancel } from './sasl.ts';
import { stat } from './stat.ts';
import { stls } from './stls.ts';
import { top } from './top.ts';
import { uidl } from './uidl.ts';
import { user } from './user.ts';

export type { Command, TimeoutKind } from './command.ts';

export const COMMANDS = {
  capa,
  stls,
  user,
  pass,
  authPlain,
  authOAuth,
  oauthAbort,
  saslCancel,
  apop,
  stat,
  uidl,
  list,
  top,
  retr,
  dele,
  rset,
  noop,
  quit,
} as const;
