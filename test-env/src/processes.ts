import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A process the test environment started and will stop. */
export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<string>;
}

const running = new Set<ManagedProcess>();
let hooksInstalled = false;

/**
 * Stops every process still running when this Node process exits or is
 * interrupted, so an aborted test run leaves nothing behind.
 */
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll().finally(() => process.exit(130));
    });
  }
}

/** Starts a long-running program with its output going to a log file. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { logFile: string },
): ManagedProcess {
  installExitHooks();
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) {
    throw new Error(`${name}: could not start ${command}`);
  }
  const exited = new Promise<string>(resolve => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', err => resolve(String(err)));
  });
  const managed: ManagedProcess = {
    name,
    pid: child.pid,
    logFile: options.logFile,
    child,
    exited,
  };
  running.add(managed);
  exited.then(() => running.delete(managed));
  return managed;
}

/** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
export async function stopProcess(p: ManagedProcess, graceMs = 10_000) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Every descendant of a process (children, their children, ...), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export async function stopAll() {
  await Promise.all([...running].map(p => stopProcess(p)));
}

/** The last lines of a process's log, for error messages. */
export function tailLog(file: string, lines = 30): string {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `probe` until it resolves truthy. Fails early, with the log, when the
 * process exits first.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: {
    timeoutMs?: number;
    process?: ManagedProcess;
    intervalMs?: number;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    if (opts.process && opts.process.child.exitCode !== null) {
      throw new Error(
        `${what}: ${opts.process.name} exited with ${
          opts.process.child.exitCode
        }\n${tailLog(opts.process.logFile)}`,
      );
    }
    try {
      const result = await probe();
      if (result) return result;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const log = opts.process ? `\n${tailLog(opts.process.logFile)}` : '';
      throw new Error(`${what}: timed out (last error: ${lastError})${log}`);
    }
    await new Promise(r => setTimeout(r, opts.intervalMs ?? 200));
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when something accepts TCP connections on host:port (127.0.0.1 by default). */
export function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a program to completion; rejects with its output on failure. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', d => (out += d));
    child.stderr!.on('data', d => (out += d));
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited with ${code}:\n${out}`,
          ),
        );
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => {}); // a program that exits without reading its input
      child.stdin!.end(options.input);
    }
  });
}
