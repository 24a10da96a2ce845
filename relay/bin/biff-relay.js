#!/usr/bin/env node
// Launcher of the relay. The relay is TypeScript run through tsx's loader, so an installed
// relay has no build step to forget; see relay/PROTOCOL.md for flags and the wire protocol.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main.ts');
await main(process.argv.slice(2));
