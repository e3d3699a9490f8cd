import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fieldError } from '../service/errors';

/**
 * Parses untrusted YAML (kubeconfigs) off the main thread, so that no input
 * can stall the event loop every plugin of the portal shares.
 *
 * The parser is `yaml` with the YAML 1.2 core schema: no custom tags (an
 * unknown tag is an error, not a string), aliases bounded by the library's
 * `maxAliasCount`. (Duplicate keys are not refused: the library's check is
 * quadratic in the number of keys; the last one wins.) The worker also
 * bounds the expanded tree, in values and in characters, so what comes back
 * is small enough to copy and validate on the main thread. Each parse has a
 * deadline and a heap limit; a worker that overruns is terminated.
 * Errors say where (line, column, code), never what: a token next to a
 * syntax error is not echoed back.
 */

export interface YamlLimits {
  /** Values in the expanded document (scalars and collections). */
  maxValues: number;
  /** Characters of keys and strings in the expanded document. */
  maxChars: number;
  maxAliasCount: number;
  timeoutMs: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxValues: 10_000,
  maxChars: 4_000_000,
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
function tooBig(value, limits) {
  let count = 0;
  let chars = 0;
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (++count > limits.maxValues) return 'has more than ' + limits.maxValues + ' values once YAML aliases are expanded';
    if (typeof v === 'string' && (chars += v.length) > limits.maxChars) return 'expands to more than ' + limits.maxChars + ' characters once YAML aliases are expanded';
    if (v && typeof v === 'object') {
      for (const k in v) { chars += k.length; stack.push(v[k]); }
    }
  }
  return undefined;
}
parentPort.on('message', ({ id, text, limits }) => {
  try {
    const doc = YAML.parseDocument(text, {
      version: '1.2', schema: 'core', customTags: [], merge: false,
      uniqueKeys: false, prettyErrors: false, strict: true, stringKeys: true,
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
    const big = tooBig(value, limits);
    if (big) {
      parentPort.postMessage({ id, error: big });
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
    this.worker.postMessage({ id: job.id, text: job.text, limits });
  }

  /** The job overran its deadline: the thread is stopped with it. */
  abort() {
    this.job = undefined;
    this.dead = true;
    this.worker.terminate().catch(() => undefined);
    this.onIdle(this);
  }

  stop() {
    this.dead = true;
    return this.worker.terminate();
  }
}

/** Parses that may wait for a thread. */
const MAX_QUEUED = 16;

/** A small pool of parser threads (at most one per core, two at most). */
export class YamlParserPool {
  private readonly threads: ParserThread[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private readonly size: number;

  constructor(private readonly limits: YamlLimits = DEFAULT_YAML_LIMITS) {
    this.size = Math.max(1, Math.min(2, os.availableParallelism() - 1));
  }

  /**
   * The parsed document as plain data; an InputError naming `kubeconfig`
   * otherwise. The deadline counts from here, waiting included, and at most
   * `MAX_QUEUED` parses wait: a flood of slow documents makes others fail
   * fast (503) instead of waiting without end.
   */
  parse(text: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.queue.length >= MAX_QUEUED) {
        const reason =
          'too many kubeconfigs are being parsed at once; try again shortly';
        reject(
          Object.assign(new Error(`kubeconfig: ${reason}`), {
            name: 'TooManyRequestsError',
            statusCode: 429,
            fields: [{ field: 'kubeconfig', reason }],
          }),
        );
        return;
      }
      const job: Job = { id: this.nextId++, text, resolve, reject };
      job.timer = setTimeout(() => {
        const queued = this.queue.indexOf(job);
        if (queued >= 0) this.queue.splice(queued, 1);
        this.threads.find(t => t.job === job)?.abort();
        reject(
          fieldError(
            'kubeconfig',
            `took longer than ${this.limits.timeoutMs} ms to parse`,
          ),
        );
      }, this.limits.timeoutMs);
      this.queue.push(job);
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
