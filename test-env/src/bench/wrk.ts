/*
 * What the benchmarks share: latency of GET requests measured by wrk
 * (a second process written in C, so that the clients add no queueing of
 * their own to the figures), and optional CPU profiles of the server thread.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ensureWrk } from '../debian';
import { execFile } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Concurrent keep-alive connections of every measurement. */
export const CLIENTS = 20;
/** Seconds of each latency measurement (after a short warm-up). */
export const SECONDS = 10;

/**
 * With BENCH_PROFILE=<dir>, writes a CPU profile of the server's thread for
 * each measured phase there (open them in Chrome DevTools).
 */
const PROFILE_DIR = process.env.BENCH_PROFILE;
const inspector = PROFILE_DIR ? new Session() : undefined;

export async function profiled<T>(
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  if (!inspector) return run();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await inspector.post('Profiler.stop');
    fs.mkdirSync(PROFILE_DIR!, { recursive: true });
    fs.writeFileSync(
      path.join(PROFILE_DIR!, `${name}.cpuprofile`),
      JSON.stringify(profile),
    );
    inspector.disconnect();
  }
}

export interface Latencies {
  requests: number;
  p50: number;
  p95: number;
}

/**
 * Latency of GET requests cycling through `paths`, measured by wrk (a second
 * process written in C, so that the clients add no queueing of their own to
 * the figures) with CLIENTS keep-alive connections: a 2 s warm-up, then
 * SECONDS measured.
 */
export async function measure(
  name: string,
  origin: string,
  paths: string[],
): Promise<Latencies> {
  const pathsFile = path.join(os.tmpdir(), `cluster-registry-bench-${name}`);
  fs.writeFileSync(pathsFile, paths.join('\n'));
  const binary = await ensureWrk();
  const wrk = (seconds: number) =>
    promisify(execFile)(
      binary,
      [
        '-t1',
        `-c${CLIENTS}`,
        `-d${seconds}s`,
        '-s',
        resolvePackagePath(
          '@internal/cluster-registry-test-env',
          'src/bench/paths.lua',
        ),
        origin,
        '--',
        pathsFile,
      ],
      { encoding: 'utf8' },
    );
  await wrk(2);
  const { stdout } = await profiled(name, () => wrk(SECONDS));
  fs.rmSync(pathsFile);
  const line = stdout.split('\n').find(l => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const figures = Object.fromEntries(
    line
      .slice('RESULT '.length)
      .split(' ')
      .map(pair => pair.split('='))
      .map(([key, value]) => [key, Number(value)]),
  );
  if (figures.non2xx || figures.socketErrors)
    throw new Error(`${name}: failed requests: ${line}`);
  return { requests: figures.requests, p50: figures.p50, p95: figures.p95 };
}
