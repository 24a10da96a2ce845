/**
 * `biff-relay`: parses the command line, then runs the relay (finds the pairing token, starts
 * the server, stops it cleanly on SIGINT/SIGTERM), or `install`, `uninstall`, the native
 * messaging host, `--version`. The line `biff-relay listening on ws://HOST:PORT/v1`
 * on stdout means ready (scripts and tests wait for it).
 */
import { parseArgs, USAGE, UsageError } from './args.ts';
import { ConfigError, defaultConfigPath, loadOrCreateToken } from './config.ts';
import { install, uninstall } from './install.ts';
import { createLogger } from './log.ts';
import { serveNativeHost } from './native-host.ts';
import { isLoopbackBind } from './policy.ts';
import { startServer } from './server.ts';
import { RELAY_VERSION } from './version.ts';

/** Runs the relay; resolves once it listens (or exits the process on a startup error). */
export async function main(argv: readonly string[]): Promise<void> {
  let command: ReturnType<typeof parseArgs>;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`biff-relay: ${error.message}\nTry biff-relay --help.\n`);
    process.exit(2);
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE);
      process.exit(0);
      break;
    case 'version':
      process.stdout.write(`${RELAY_VERSION}\n`);
      process.exit(0);
      break;
    case 'install':
    case 'uninstall': {
      const print = (line: string) => process.stdout.write(`biff-relay: ${line}\n`);
      try {
        process.exitCode =
          command.kind === 'install'
            ? await install(command.options, command.relayArgs, print)
            : await uninstall(print);
      } catch (error) {
        process.stderr.write(`biff-relay: ${(error as Error).message}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
      return;
    }
    case 'native-host':
      await serveNativeHost(command.options, command.relayArgs);
      return;
    case 'run':
      break;
  }
  const options = command.options;
  const log = createLogger({ quiet: options.quiet, verbose: options.verbose, stream: process.stderr });

  let token = options.token;
  let tokenPath: string | null = null;
  let tokenCreated = false;
  if (token === null) {
    const path = options.configPath ?? defaultConfigPath();
    try {
      const loaded = await loadOrCreateToken(path);
      token = loaded.token;
      tokenPath = path;
      tokenCreated = loaded.created;
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : `${path}: ${(error as Error).message}`;
      process.stderr.write(`biff-relay: ${message}\n`);
      process.exit(1);
    }
  } else if (token.length < 22) {
    process.stderr.write('biff-relay: warning: --token is shorter than 128 bits of base64url\n');
  }
  if (!isLoopbackBind(options.host)) {
    process.stderr.write(
      `biff-relay: warning: listening on ${options.host}, not loopback: other machines can reach the relay, only the token keeps them out\n`,
    );
  }

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ ...options, token }, log);
  } catch (error) {
    process.stderr.write(
      `biff-relay: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`,
    );
    process.exit(1);
  }

  // Handlers first: until a listener exists the kernel's default action kills the process at
  // once, so a supervisor that signals right after the ready line would see a signal death.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(0);
    stopping = true;
    log.info(`${signal}: closing sessions`);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // The token is shown once, when it is created; later starts name the file instead, so
  // journals and terminal logs of a running relay do not carry it.
  if (tokenCreated) {
    process.stdout.write(`biff-relay: created a pairing token in ${tokenPath}\n`);
    process.stdout.write(`biff-relay: pair Biff with relay ${server.url} token ${token}\n`);
  } else if (tokenPath) {
    process.stdout.write(`biff-relay: pairing token in ${tokenPath}\n`);
  }
  process.stdout.write(`biff-relay listening on ${server.url}\n`);
}
