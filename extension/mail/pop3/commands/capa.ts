/** CAPA (RFC 2449 §5): what the server supports. -ERR means a server from before CAPA: null. */
import { type Capabilities, parseCapabilities } from '../capabilities.ts';
import { bodyOf, type Command, commandLine } from './command.ts';

export function capa(): Command<Capabilities | null> {
  return {
    verb: 'CAPA',
    bytes: commandLine('CAPA'),
    expect: { kind: 'capa' },
    timeout: 'command',
    // The answer decides whether what follows may be pipelined.
    exclusive: true,
    failure: 'rejected',
    parse: (reply) => parseCapabilities(bodyOf(reply, 'capa').lines),
    parseError: () => null,
  };
}
