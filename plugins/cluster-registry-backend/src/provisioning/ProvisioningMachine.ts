import { LoggerService } from '@backstage/backend-plugin-api';
import type { ProvisioningStep } from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterProvisioner,
  ProvisionerKubeApi,
  ProvisionerKubeTarget,
  ProvisioningStepError,
  ProvisioningStepOutcome,
  ProvisioningStepPlan,
} from '@cluster-registry/plugin-cluster-registry-node';
import crypto from 'node:crypto';
import {
  ProvisioningChanges,
  ProvisioningRecord,
  ProvisioningStore,
} from './ProvisioningStore';

/** The registry's own steps around a provider's. */
export const REGISTRATION_STEP: ProvisioningStepPlan = {
  id: 'registration',
  title: 'Register and verify in the portal',
};
export const DEREGISTRATION_STEP: ProvisioningStepPlan = {
  id: 'deregistration',
  title: 'Take out of the Kubernetes plugin',
};
export const REMOVAL_STEP: ProvisioningStepPlan = {
  id: 'removal',
  title: 'Remove from the registry',
};

/** What the registry does in its own steps and to show progress on the cluster. */
export interface RegistryHooks {
  /** Stores where the cluster is reached and verifies it; `wait` while it does not answer yet. */
  register(
    request: ProvisioningRecord,
    target: ProvisionerKubeTarget,
  ): Promise<ProvisioningStepOutcome>;
  /** Keeps the cluster from the Kubernetes plugin and the sweep (state `deleting`). */
  deregister(request: ProvisioningRecord): Promise<void>;
  /** Removes the record once everything at the provider is gone. */
  remove(request: ProvisioningRecord): Promise<void>;
  /** Shows a request's progress as the cluster's state and message. */
  showProgress(
    request: ProvisioningRecord,
    state: 'provisioning' | 'failed' | 'deleting',
    message: string,
  ): Promise<void>;
  kubernetes(target: ProvisionerKubeTarget): ProvisionerKubeApi;
}

export interface MachineOptions {
  store: ProvisioningStore;
  provisioners: Map<string, ClusterProvisioner<any>>;
  hooks: RegistryHooks;
  logger: LoggerService;
  /** How long a run holds a request (renewed after each step). */
  leaseMs?: number;
  /** How long one run keeps taking steps of one request before yielding. */
  runBudgetMs?: number;
  /** Runs of a step failing with a retryable error before the request fails. */
  maxAttempts?: number;
  /** Wait between runs of a step that asked to wait without saying how long. */
  defaultWaitMs?: number;
}

/** The planned steps of an operation, as the request stores them. */
export function plannedSteps(
  provisioner: ClusterProvisioner<any>,
  operation: 'create' | 'delete',
  spec: unknown,
  resources: Record<string, unknown>,
): ProvisioningStep[] {
  const own = provisioner.plan(operation, spec, resources);
  const all =
    operation === 'create'
      ? [...own, REGISTRATION_STEP]
      : [DEREGISTRATION_STEP, ...own, REMOVAL_STEP];
  return all.map(s => ({ id: s.id, title: s.title, state: 'pending' }));
}

const MAX_MESSAGE = 2000;
const clip = (s: string) =>
  s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;

/**
 * Advances provisioning requests: each run claims due requests one at a
 * time and runs their steps in order, saving after every step, until a step
 * waits or fails or the run's budget is spent. A backend that dies mid-step
 * leaves the step `running` with a lease that runs out; the next run takes
 * it and runs the step again, which finds what the first attempt created.
 */
export class ProvisioningMachine {
  private readonly leaseMs: number;
  private readonly runBudgetMs: number;
  private readonly maxAttempts: number;
  private readonly defaultWaitMs: number;

  constructor(private readonly options: MachineOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.runBudgetMs = options.runBudgetMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.defaultWaitMs = options.defaultWaitMs ?? 10_000;
  }

  /** One run of the scheduled task: every due request, one after another. */
  async runDue(limit = 25): Promise<number> {
    const ids = await this.options.store.due(new Date(), limit);
    let ran = 0;
    for (const id of ids) {
      if (await this.advance(id)) ran++;
    }
    return ran;
  }

  /** Claims and advances one request; false if another run holds it. */
  async advance(id: string): Promise<boolean> {
    const owner = crypto.randomUUID();
    let request = await this.options.store.claim(id, owner, this.leaseMs);
    if (!request) return false;
    const started = Date.now();
    try {
      for (;;) {
        const next = await this.step(request, owner);
        if (!next) return true;
        request = next;
        if (Date.now() - started > this.runBudgetMs) {
          // Due again at once, for the next run (of any backend).
          await this.options.store.save(request.id, owner, {});
          return true;
        }
      }
    } catch (error) {
      // Our own failure (database): the lease runs out, a later run retries.
      this.options.logger.error(
        `provisioning ${id} of ${request.cluster}: ${error}`,
      );
      return true;
    }
  }

  /**
   * Runs the request's current step once and saves the outcome. Returns the
   * request to go on with, or undefined when this run is done with it.
   */
  private async step(
    request: ProvisioningRecord,
    owner: string,
  ): Promise<ProvisioningRecord | undefined> {
    const { store, hooks, logger } = this.options;
    const steps = request.steps.map(s => ({ ...s }));
    const index = steps.findIndex(s => s.id === request.currentStep);
    const current = steps[index];
    if (!current) {
      await store.save(request.id, owner, { state: 'failed' });
      return undefined;
    }
    const now = new Date().toISOString();
    current.state = 'running';
    current.startedAt ??= now;
    current.error = undefined;
    const progress = (message: string) =>
      hooks.showProgress(
        request,
        request.operation === 'create' ? 'provisioning' : 'deleting',
        `${current.title}: ${message}`,
      );

    let outcome: ProvisioningStepOutcome;
    try {
      outcome = await this.run(request, current.id);
    } catch (error) {
      const e =
        error instanceof ProvisioningStepError
          ? error
          : new ProvisioningStepError(
              `unexpected error: ${(error as Error)?.message ?? error}`,
              { retryable: true, cause: error },
            );
      const attempts = request.attempts + 1;
      current.error = {
        message: clip(e.message),
        code: e.code,
        hint: e.hint,
      };
      if (e.retryable && attempts < this.maxAttempts) {
        current.message = clip(
          `attempt ${attempts} of ${this.maxAttempts} failed, retrying: ${e.message}`,
        );
        const waitMs = Math.min(
          this.defaultWaitMs * 2 ** (attempts - 1),
          300_000,
        );
        if (
          await store.save(request.id, owner, {
            steps,
            attempts,
            nextCheckAt: new Date(Date.now() + waitMs),
          })
        )
          await progress(current.message);
        return undefined;
      }
      current.state = 'failed';
      current.finishedAt = new Date().toISOString();
      current.message = clip(e.message);
      logger.warn(
        `provisioning ${request.id}: ${request.operation} of ${request.cluster} failed at ${current.id}: ${e.message}`,
      );
      if (
        !(await store.save(request.id, owner, {
          steps,
          state: 'failed',
          attempts,
        }))
      )
        return undefined;
      await hooks.showProgress(
        request,
        request.operation === 'create' ? 'failed' : 'deleting',
        `${
          request.operation === 'create' ? 'creation' : 'deletion'
        } failed at "${current.title}": ${e.message}${
          e.hint ? ` (${e.hint})` : ''
        }`,
      );
      return undefined;
    }

    const changes: ProvisioningChanges = { steps };
    if (outcome.resources)
      changes.resources = { ...request.resources, ...outcome.resources };
    if (outcome.outputs)
      changes.outputs = { ...request.outputs, ...outcome.outputs };
    if (outcome.status === 'wait') {
      current.message = clip(outcome.message);
      changes.attempts = 0;
      changes.nextCheckAt = new Date(
        Date.now() + (outcome.checkAgainInMs ?? this.defaultWaitMs),
      );
      if (!(await store.save(request.id, owner, changes))) return undefined;
      await progress(current.message);
      return undefined;
    }
    current.state = outcome.status;
    current.finishedAt = new Date().toISOString();
    current.message = outcome.message && clip(outcome.message);
    if (outcome.registration) changes.registration = outcome.registration;
    const following = steps[index + 1];
    changes.attempts = 0;
    changes.nextCheckAt = new Date();
    if (following) {
      changes.currentStep = following.id;
    } else {
      changes.currentStep = null;
      changes.state = 'succeeded';
    }
    // Kept (and renewed) when more steps follow in this run; a run that
    // lost its lease stops here.
    if (
      !(await store.save(
        request.id,
        owner,
        changes,
        following ? this.leaseMs : undefined,
      ))
    )
      return undefined;
    if (!following) {
      logger.info(
        `provisioning ${request.id}: ${request.operation} of ${request.cluster} succeeded`,
      );
      return undefined;
    }
    await progress(`done${outcome.message ? `: ${outcome.message}` : ''}`);
    return {
      ...request,
      ...changes,
      steps,
      currentStep: following.id,
      resources: changes.resources ?? request.resources,
      outputs: changes.outputs ?? request.outputs,
      registration: changes.registration ?? request.registration,
      attempts: 0,
    } as ProvisioningRecord;
  }

  /** One step: the registry's own, or the provider's. */
  private async run(
    request: ProvisioningRecord,
    step: string,
  ): Promise<ProvisioningStepOutcome> {
    const { hooks } = this.options;
    if (step === REGISTRATION_STEP.id) {
      if (!request.registration)
        throw new ProvisioningStepError(
          'the provider reported no endpoint to register',
        );
      return hooks.register(request, request.registration);
    }
    if (step === DEREGISTRATION_STEP.id) {
      await hooks.deregister(request);
      return {
        status: 'done',
        message: 'no longer offered to the Kubernetes plugin',
      };
    }
    if (step === REMOVAL_STEP.id) {
      await hooks.remove(request);
      return { status: 'done', message: 'removed from the registry' };
    }
    const provisioner = this.options.provisioners.get(request.provider);
    if (!provisioner)
      throw new ProvisioningStepError(
        `no provisioner '${request.provider}' is installed in this backend`,
        {
          retryable: true,
          hint: 'add the provider module back to the backend (every replica)',
        },
      );
    return provisioner.reconcile({
      requestId: request.id,
      operation: request.operation,
      step,
      clusterName: request.cluster,
      spec: request.spec,
      resources: request.resources,
      requestedBy: request.createdBy,
      logger: this.options.logger.child({ cluster: request.cluster, step }),
      kubernetes: target => hooks.kubernetes(target),
    });
  }
}
