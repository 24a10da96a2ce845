/**
 * The POP3 client's public surface: open a session on a Transport, and the types and errors
 * it deals in. Protocol internals (parser, commands) are importable from their modules.
 */
export type { Capabilities } from './capabilities.ts';
export type { Command } from './commands/command.ts';
export { COMMANDS } from './commands/index.ts';
export { isPop3Error, Pop3Error, type Pop3ErrorCode } from './errors.ts';
export type { Greeting } from './greeting.ts';
export type { ListEntry, MaildropStat, UidlEntry } from './listing.ts';
export type { RespCode } from './resp-codes.ts';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  type FetchOptions,
  type Pop3Credentials,
  Pop3Session,
  type Pop3SessionOptions,
  type Pop3State,
  type Pop3Timeouts,
} from './session.ts';
