import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type {
  AwsClusterAuth,
  FieldIssue,
  ProvisionerInfo,
  ProvisioningOutputs,
} from '@cluster-registry/plugin-cluster-registry-common';

/** Creating a cluster, or deleting one the portal created. @public */
export type ProvisioningOperation = 'create' | 'delete';

/** A step a provisioner plans: shown on the progress view in this order. @public */
export interface ProvisioningStepPlan {
  /** Stable id, e.g. `network`; the registry's own are `registration` and `deregistration`. */
  id: string;
  title: string;
}

/** What a provisioner records between steps: ids of what it created, JSON only. @public */
export type ProvisionedResources = Record<string, unknown>;

/** An answer of the new cluster's Kubernetes API. @public */
export interface ProvisionerKubeResponse {
  status: number;
  /** Parsed JSON, or the text. */
  body: any;
}

/**
 * The new cluster's Kubernetes API, through the registry: the address
 * policy applies, and an AWS IAM identity is turned into a token as the
 * Kubernetes plugin would. @public
 */
export interface ProvisionerKubeApi {
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ProvisionerKubeResponse>;
}

/** How to reach a cluster's API server as a given identity. @public */
export interface ProvisionerKubeTarget {
  serverUrl: string;
  /** Base64 of the PEM CA bundle, as EKS reports it. */
  caData: string;
  auth: AwsClusterAuth;
}

/** What the registry hands a provisioner for one step. @public */
export interface ProvisioningContext<Spec = unknown> {
  requestId: string;
  operation: ProvisioningOperation;
  /** The step to run, one of those `plan` returned. */
  step: string;
  /** The registry's (and the provider's) name of the cluster. */
  clusterName: string;
  /** The spec `validate` returned. */
  spec: Spec;
  /** Everything earlier steps (of this and the create request) recorded. */
  resources: ProvisionedResources;
  /** Who asked, for tags: `user:default/ann`. */
  requestedBy: string;
  logger: LoggerService;
  /** The cluster's Kubernetes API (e.g. to write aws-auth). */
  kubernetes(target: ProvisionerKubeTarget): ProvisionerKubeApi;
}

/**
 * What a step did. `done` moves on to the next step; `wait` runs the same
 * step again later (a resource still being created). Either may record
 * resources (merged into what is kept) and outputs (shown to users).
 * The create request's last provider step answers with `registration`:
 * where the registry then reaches the cluster. @public
 */
export type ProvisioningStepOutcome = {
  resources?: ProvisionedResources;
  outputs?: ProvisioningOutputs;
  message?: string;
} & (
  | { status: 'done' | 'skipped'; registration?: ProvisionerKubeTarget }
  | { status: 'wait'; message: string; checkAgainInMs?: number }
);

/**
 * A step that failed: the provider's error, and what to do. `retryable`
 * errors (throttling, IAM not propagated yet) run the step again later;
 * others stop the request until someone retries it. @public
 */
export class ProvisioningStepError extends Error {
  readonly code?: string;
  readonly hint?: string;
  readonly retryable: boolean;

  constructor(
    message: string,
    options: {
      code?: string;
      hint?: string;
      retryable?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProvisioningStepError';
    this.code = options.code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A place clusters can be created at. The registry keeps the request, its
 * steps and their state in its database and asks the provisioner to run
 * one step at a time from a scheduled task: after a restart it simply asks
 * again. So every step must be idempotent: find what an earlier attempt
 * created (by its recorded id, an ownership tag or a deterministic name)
 * before creating anything, and adopt only what carries the request's tag.
 *
 * Implemented by backend modules (`clusterProvisionersExtensionPoint`): the
 * EKS module on the AWS SDK; a module driving tofu-controller's `Terraform`
 * resources would plan `apply` and `outputs` steps and read conditions.
 * @public
 */
export interface ClusterProvisioner<Spec = unknown> {
  /** The request's `provider`, e.g. `eks`. */
  readonly id: string;
  /** The choices the configuration allows, for the form. */
  info(): ProvisionerInfo;
  /**
   * Checks a request completely before anything is created (configuration
   * guardrails, and reads at the provider such as which zones exist);
   * throws an InputError naming the fields. Returns the spec to store.
   */
  validate(request: { clusterName: string; spec: unknown }): Promise<Spec>;
  /** The steps of creating, or deleting, a cluster with this spec. */
  plan(
    operation: ProvisioningOperation,
    spec: Spec,
    resources: ProvisionedResources,
  ): ProvisioningStepPlan[];
  /** Runs one step; throws ProvisioningStepError for a failure to show. */
  reconcile(
    context: ProvisioningContext<Spec>,
  ): Promise<ProvisioningStepOutcome>;
}

/** Where backend modules add provisioners. @public */
export interface ClusterProvisionersExtensionPoint {
  addProvisioner(provisioner: ClusterProvisioner<any>): void;
}

/**
 * A 400 naming the wrong fields of a provider's spec (relative to it:
 * `region`, `availabilityZones.1`); the registry reports them under the
 * request's provider key (`eks.region`). @public
 */
export function invalidSpec(issues: FieldIssue[]): InputError {
  return Object.assign(
    new InputError(issues.map(i => `${i.field}: ${i.reason}`).join('; ')),
    { fields: issues },
  );
}
