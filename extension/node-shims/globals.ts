/**
 * Node globals imapflow and its dependencies expect, injected into the service-worker bundle
 * by esbuild (`inject`). Only the background bundle gets these; pages never load imapflow.
 */
import { Buffer } from 'buffer';
import { installBufferFastPaths } from './buffer-fast-paths.ts';
import { process } from './process.ts';

// The bundle's `buffer` is the npm package (scripts/build.ts): give it native UTF-8 decoding.
installBufferFastPaths(Buffer);

type Task = () => void;
const tasks = new Map<number, Task>();
let nextId = 1;
// setImmediate on a MessageChannel runs after the current task without the 4 ms clamp of
// nested setTimeout(0) and without starving I/O like a microtask would.
const channel = new MessageChannel();
channel.port1.onmessage = (event: MessageEvent<number>) => {
  const task = tasks.get(event.data);
  if (task) {
    tasks.delete(event.data);
    task();
  }
};

function setImmediateShim(fn: (...args: unknown[]) => void, ...args: unknown[]): number {
  const id = nextId++;
  tasks.set(id, () => fn(...args));
  channel.port2.postMessage(id);
  return id;
}

function clearImmediateShim(id: number): void {
  tasks.delete(id);
}

const g = globalThis as Record<string, unknown>;
g.Buffer ??= Buffer;
g.process ??= process;
g.global ??= globalThis;
g.setImmediate ??= setImmediateShim;
g.clearImmediate ??= clearImmediateShim;

export { Buffer, process };
