import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fieldError } from '../service/errors';

/**
 * Parses untrusted YAML (kubeconfigs) off the main thread, so that no input
 * can stall the event loop every plugin of the portal shares.
 *
 * The parser is `yaml` with the YAML 1.2 core schema: no custom tags (an
 * unknown tag is an error, not a string), aliases bounded by the library's
 * `maxAliasCount`, duplicate keys refused. The worker also bounds the size
 * of the expanded tree (values after alias expansion), so what comes back
 * is small enough to validate on the main thread. Each parse has a
 * deadline and a heap limit; a worker that overruns is terminated.
 * Errors say where (line, column, code), never what: a token next to a
 * syntax error is not echoed back.
 */

export interface YamlLimits {
  /** Values in the expanded document (scalars and collections). */
  maxValues: number;
  maxAliasCount: number;
  timeoutMs: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxValues: 10_000,
  maxAliasCount: 100,
  timeoutMs: 3000,
};

// Plain JavaScript run by each worker thread (so it needs no TypeScript
// loader in tests or in production builds); `yaml` is resolved here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const YAML = require(workerData.yamlPath);
function where(error, text) {
  const offset = error.pos && error.pos[0];
  if (typeof offset !== 'number') return error.code || 'YAML_ERROR';
  const before = text.slice(0, offset);
  const line = before.split(String.fromCharCode(10)).length;
  const col = offset - before.lastIndexOf(String.fromCharCode(10));
  return (error.code || 'YAML_ERROR') + ' at line ' + line + ', column ' + col;
}
function countValues(value, budget) {
  let count = 0;
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (++count > budget) return count;
    if (v && typeof v === 'object') {
      for (const k in v) stack.push(v[k]);
    }
  }
  return count;
}
parentPort.on('message', ({ id, text, limits }) => {
  try {
    const doc = YAML.parseDocument(text, {
      version: '1.2', schema: 'core', customTags: [], merge: false,
      uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: true,
    });
    const problem = doc.errors[0] || doc.warnings[0];
    if (problem) {
      parentPort.postMessage({ id, error: 'not valid YAML (' + where(problem, text) + ')' });
      return;
    }
    let value;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      parentPort.postMessage({ id, error: /alias/i.test(String(e && e.message))
        ? 'uses more YAML aliases than allowed (' + limits.maxAliasCount + ')'
        : 'not valid YAML (' + (e && e.name || 'error') + ')' });
      return;
    }
    if (countValues(value, limits.maxValues) > limits.maxValues) {
      parentPort.postMessage({ id, error: 'has more than ' + limits.maxValues + ' values once YAML aliases are expanded' });
      return;
    }
    parentPort.postMessage({ id, value });
  } catch (e) {
    parentPort.postMessage({ id, error: 'not valid YAML (' + (e && e.name || 'error') + ')' });
  }
});
`;

interface Job {
  id: number;
  text: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

class ParserThread {
  private readonly worker: Worker;
  job?: Job;
  dead = false;

  constructor(private readonly onIdle: (thread: ParserThread) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { yamlPath: require.resolve('yaml') },
      resourceLimits: { maxOldGenerationSizeMb: 128, stackSizeMb: 4 },
    });
    this.worker.unref();
    this.worker.on(
      'message',
      (msg: { id: number; value?: unknown; error?: string }) => {
        const job = this.job;
        if (!job || job.id !== msg.id) return;
        this.finish(job);
        if (msg.error) job.reject(fieldError('kubeconfig', `${msg.error}`));
        else job.resolve(msg.value);
        this.onIdle(this);
      },
    );
    const fail = (reason: string) => {
      this.dead = true;
      const job = this.job;
      if (job) {
        this.finish(job);
        job.reject(fieldError('kubeconfig', `${reason}`));
      }
      this.onIdle(this);
    };
    this.worker.on('error', e => {
      fail(
        (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'is too complex to parse (memory limit)'
          : 'could not be parsed',
      );
    });
    this.worker.on('exit', () => fail('could not be parsed'));
  }

  private finish(job: Job) {
    clearTimeout(job.timer);
    this.job = undefined;
  }

  run(job: Job, limits: YamlLimits) {
    this.job = job;
    job.timer = setTimeout(() => {
      this.finish(job);
      job.reject(
        fieldError(
          'kubeconfig',
          `took longer than ${limits.timeoutMs} ms to parse`,
        ),
      );
      this.dead = true;
      this.worker.terminate().catch(() => undefined);
      this.onIdle(this);
    }, limits.timeoutMs);
    this.worker.postMessage({ id: job.id, text: job.text, limits });
  }

  stop() {
    this.dead = true;
    return this.worker.terminate();
  }
}

/** A small pool of parser threads (at most one per core, two at most). */
export class YamlParserPool {
  private readonly threads: ParserThread[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private readonly size: number;

  constructor(private readonly limits: YamlLimits = DEFAULT_YAML_LIMITS) {
    this.size = Math.max(1, Math.min(2, os.availableParallelism() - 1));
  }

  /** The parsed document as plain data; an InputError naming `kubeconfig` otherwise. */
  parse(text: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, text, resolve, reject });
      this.dispatch();
    });
  }

  private readonly onIdle = (thread: ParserThread) => {
    if (thread.dead) {
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
    }
    this.dispatch();
  };

  private dispatch() {
    while (this.queue.length) {
      let thread = this.threads.find(t => !t.job && !t.dead);
      if (!thread && this.threads.length < this.size) {
        thread = new ParserThread(this.onIdle);
        this.threads.push(thread);
      }
      if (!thread) return;
      thread.run(this.queue.shift()!, this.limits);
    }
  }

  async stop() {
    await Promise.all(this.threads.map(t => t.stop()));
    this.threads.length = 0;
  }
}
