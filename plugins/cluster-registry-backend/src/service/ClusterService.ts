import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  ADDRESS_POLICY_REFUSAL,
  ClusterConnection,
  ClusterConnectionsService,
  ClusterPermissionQuery,
  ClusterPermissionResource,
  ClusterRegistryChange,
  ClusterProvisioner,
  fingerprintOfPin,
  ProvisioningStepError,
  clusterPermissionRuleset,
} from '@cluster-registry/plugin-cluster-registry-node';
import crypto from 'node:crypto';
import {
  ProvisioningRecord,
  ProvisioningStore,
} from '../provisioning/ProvisioningStore';
import {
  plannedSteps,
  RegistryHooks,
} from '../provisioning/ProvisioningMachine';
import type { Request } from 'express';
import {
  ClusterTls,
  ParsedClusterConnection as ConnectionInput,
  ParsedClusterPrometheus as PrometheusInput,
  ParsedCreateCluster as CreateInput,
  ParsedRotateCredentials as RotateInput,
  ParsedUpdateCluster as UpdateInput,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterChanges,
  ClusterRecord,
  ClusterRecordWithSecrets,
  ClusterSecrets,
  ClusterStore,
  ListClustersOptions,
  StoredAuth,
  StoredConnection,
  StoredStatus,
} from '../database/types';
import {
  ClusterProbe,
  verifyCluster,
  VerifyOptions,
} from '../kubernetes/verifyCluster';
import {
  PrometheusTestResult,
  testPrometheus,
} from '../prometheus/testPrometheus';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { ClusterReader, openClusterReader } from './ClusterReader';
import {
  inspectKubeconfig,
  parseKubeconfig,
  registrationFromContext,
} from '../kubernetes/inspectKubeconfig';
import {
  Category,
  CLUSTER_RESOURCE_TYPE,
  categoryManagePermission,
  clusterCreatePermission,
  clusterDeletePermission,
  clusterDeprovisionPermission,
  clusterProvisionPermission,
  clusterReadPermission,
  clusterUpdatePermission,
  clusterConnectionUpdatePermission,
  createClusterSchema,
  FieldIssue,
  KubeconfigImportResult,
  KubeconfigInspection,
  ParsedImportKubeconfig as ImportInput,
  ParsedServiceAccountRequest,
  ParsedProvisionCluster,
  ProvisionerInfo,
  rotateCredentialsSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { isError } from '@backstage/errors';
import { buildKubeConfig } from '../kubernetes/kubeConfig';
import { KubeClient, KubeConnectionError } from '../kubernetes/request';
import {
  KubeCall,
  mintServiceAccount,
  removeServiceAccount,
  requestToken,
  ServiceAccountError,
} from '../kubernetes/serviceAccounts';
import { ClusterAuthorizer, ClusterDecision } from './authorize';
import { expiredMessage, isExpired } from './credentialExpiry';
import { fieldError, fieldsError } from './errors';
import { parse } from './parse';
import { toClusterView } from './views';
import {
  keepStoredPrometheusSecrets,
  keepStoredConnectionSecrets,
  splitAuth,
  splitConnection,
  splitPrometheus,
  toConnection,
} from './clusterSecrets';
import { openClusterTunnel } from './clusterTunnel';

export interface ClusterServiceOptions {
  /** Verification settings, with the address policy every connection passes. */
  verify: VerifyOptions;
  /** Writes one audit event per change, whichever entry point made it. */
  auditor?: AuditorService;
  /** Announces every change (the events service); must not throw. */
  announce?(change: ClusterRegistryChange): Promise<void>;
  /** Decides every call of every entry point. */
  permissions: PermissionsService;
  /**
   * The rules a policy's conditions on a cluster may use: the plugin passes
   * the permissions registry's (ours and any a module added); ours by default.
   */
  permissionRules?: PermissionRuleset<
    ClusterPermissionResource,
    ClusterPermissionQuery,
    typeof CLUSTER_RESOURCE_TYPE
  >;
  /** Plugin ids whose service principals may read connections with credentials. */
  credentialConsumers?: string[];
  /** Tunnels through HTTP proxies and SSH bastions; without it such clusters cannot be reached. */
  connections?: ClusterConnectionsService;
  /** Defaults of ServiceAccounts minted from an admin's credential. */
  serviceAccounts?: ServiceAccountSettings;
  /** Creating clusters at providers: the installed provisioners and their requests. */
  provisioning?: {
    store: ProvisioningStore;
    provisioners: Map<string, ClusterProvisioner<any>>;
    /** Runs the provisioning task now (after a submit). */
    trigger?(): Promise<void>;
  };
}

/** `clusterRegistry.serviceAccounts`. */
export interface ServiceAccountSettings {
  namespace: string;
  clusterRole: string;
  tokenLifetimeSeconds: number;
  /** Renew a token with less than this left (default: half its lifetime). */
  renewBeforeSeconds?: number;
}

const SERVICE_ACCOUNT_DEFAULTS: ServiceAccountSettings = {
  namespace: 'backstage-cluster-registry',
  clusterRole: 'view',
  tokenLifetimeSeconds: 7 * 24 * 3600,
};

/** The registry's own actor, for the changes it makes itself (token renewal). */
const REGISTRY_ACTOR = { actor: 'service:plugin:cluster-registry' };

/**
 * Who calls, whichever way they came in (REST, the actions registry), and
 * the HTTP request when there is one (for the audit event).
 */
export interface Caller {
  credentials: BackstageCredentials;
  request?: Request;
}

type ClusterPermission = ResourcePermission<typeof CLUSTER_RESOURCE_TYPE>;

/** An authorized caller: who they are, for createdBy/updatedBy and the audit event. */
interface Acting {
  actor: string;
  request?: Request;
}

/** The field a failed verification is reported against, so the UI can show it there. */
const FIELD_OF_REASON: Record<string, string> = {
  tls: 'tls',
  unauthorized: 'auth',
  forbidden: 'auth',
  unreachable: 'serverUrl',
  timeout: 'serverUrl',
  invalid: 'auth',
  error: 'serverUrl',
};

/** The secrets of a connection method: changing one re-verifies. */
const CONNECTION_SECRETS = [
  'sshPassword',
  'sshPrivateKey',
  'sshPassphrase',
  'proxyPassword',
] as const;

/** Errors one context of an import may fail with while the others go on. */
const PER_CONTEXT_ERRORS = new Set([
  'InputError',
  'ConflictError',
  'NotFoundError',
  'NotAllowedError',
]);

/** Contexts of one import verified at a time. */
const IMPORT_CONCURRENCY = 4;

/** Deep equality of JSON values, whatever the order of their keys. */
function sameValue(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .map(([k, x]) => [k, canonical(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function statusFromProbe(
  probe: ClusterProbe,
  now = new Date(),
): StoredStatus {
  let state: StoredStatus['state'] = 'running';
  if (!probe.ok) {
    state =
      probe.reason === 'unauthorized' || probe.reason === 'forbidden'
        ? 'unauthorized'
        : 'unreachable';
  }
  return {
    state,
    message: probe.ok ? undefined : probe.message,
    checkedAt: now.toISOString(),
    kubernetesVersion: probe.kubernetesVersion,
    nodeCount: probe.nodeCount,
    permissionLevel: probe.permissionLevel,
  };
}

/** Registration, editing, rotation and verification of clusters. */
export class ClusterService {
  private readonly authz: ClusterAuthorizer;

  constructor(
    private readonly store: ClusterStore,
    private readonly options: ClusterServiceOptions,
  ) {
    this.authz = new ClusterAuthorizer(
      options.permissions,
      options.permissionRules ?? clusterPermissionRuleset,
    );
  }

  /**
   * Runs a change as one audit event (who, what, which cluster) and
   * announces it once it succeeded. Every entry point (REST, scaffolder via
   * REST, the actions registry) reaches its changes through here.
   */
  private async change<T>(
    eventId: string,
    meta: Record<string, string>,
    caller: Acting,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await this.options.auditor?.createEvent({
      eventId,
      request: caller.request,
      severityLevel: 'medium',
      // With a request the auditor reads the actor from its credentials.
      meta: caller.request ? meta : { ...meta, actor: caller.actor },
    });
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await event?.fail({ error: error as Error, meta });
      throw error;
    }
    await event?.success({ meta });
    await this.options.announce?.({ eventId, cluster: meta.cluster });
    return result;
  }

  /**
   * Checks a basic permission for the caller; every public method starts
   * here or at `authorizeOn`.
   */
  private async authorize(
    caller: Caller,
    permission: BasicPermission,
  ): Promise<Acting> {
    const actor = await this.authz.basic(caller.credentials, permission);
    return { actor, request: caller.request };
  }

  /**
   * Checks a permission on one stored cluster, which it reads: a 403 if the
   * policy allows the caller no cluster at all; a 404, as for a cluster that
   * does not exist, if its conditions exclude this one and the caller may
   * not even read it; a 403 if they may read it but not do this.
   */
  private async authorizeOn<T extends ClusterRecord>(
    caller: Caller,
    permission: ClusterPermission,
    name: string,
    read: (name: string) => Promise<T> = n =>
      this.store.getCluster(n) as Promise<T>,
  ): Promise<{ acting: Acting; current: T; decision: ClusterDecision }> {
    const decision = await this.authz.decide(caller.credentials, permission);
    const current = await read(name);
    if (!decision.allows(current)) {
      const readable =
        permission === clusterReadPermission
          ? undefined
          : await this.authz.tryDecide(
              caller.credentials,
              clusterReadPermission,
            );
      if (readable?.allows(current))
        throw new NotAllowedError(
          `not allowed: ${permission.name} on cluster ${name}`,
        );
      throw fieldError('name', `no cluster named '${name}'`, NotFoundError);
    }
    return {
      acting: { actor: decision.actor, request: caller.request },
      current,
      decision,
    };
  }

  /**
   * {@link ClusterService.authorizeOn} for clusterUpdatePermission, on the
   * stored cluster without its secrets.
   */
  private authorizeUpdate(caller: Caller, name: string) {
    return this.authorizeOn(caller, clusterUpdatePermission, name);
  }

  /**
   * A new or edited cluster must stay within the caller's conditions for
   * clusterUpdatePermission: nobody registers a cluster they could not then
   * manage, or moves one out of their reach (qa into prod).
   */
  private assertManageable(
    decision: ClusterDecision | undefined,
    cluster: ClusterPermissionResource,
    verb: 'register' | 'edit',
  ) {
    if (decision?.allows(cluster)) return;
    throw new NotAllowedError(
      verb === 'register'
        ? `not allowed: you may not manage a cluster ${describe(
            cluster,
          )}, so you may not register it`
        : `not allowed: after this edit the cluster would be ${describe(
            cluster,
          )}, which you may not manage`,
    );
  }

  /**
   * What decides where a cluster's stored credential is sent (TLS trust,
   * connection, a bastion's host key) needs clusterConnectionUpdatePermission.
   */
  private async assertMayRoute(
    caller: Caller,
    cluster: ClusterRecord,
    what: string,
  ) {
    const trusted = await this.authz.tryDecide(
      caller.credentials,
      clusterConnectionUpdatePermission,
    );
    if (!trusted?.allows(cluster))
      throw new NotAllowedError(
        `not allowed: ${clusterConnectionUpdatePermission.name} on cluster ${cluster.name}: its ${what} decides where its stored credential is sent; ask an admin, or rotate the credentials (giving one of your own) to change it`,
      );
  }

  /**
   * A cluster the provisioning task is creating or deleting (or that failed
   * to be created, with no endpoint yet) has nothing to probe, rotate or
   * re-route: a 409 saying so.
   */
  private assertSettled(current: ClusterRecord, what: string) {
    const { state } = current.status;
    const busy = state === 'provisioning' || state === 'deleting';
    if (!busy && (state !== 'failed' || current.serverUrl)) return;
    const reasons: Record<string, string> = {
      deleting: `cluster '${current.name}' is being deleted at its provider: nothing to ${what}`,
      provisioning: `cluster '${current.name}' is still being created at its provider; ${what} once it is running`,
      failed: `cluster '${current.name}' failed to be created and has no endpoint: retry the creation, or delete it`,
    };
    throw fieldError('name', reasons[state], ConflictError);
  }

  /** The caller's conditions for managing clusters; undefined if they may manage none. */
  private manageDecision(caller: Caller) {
    return this.authz.tryDecide(caller.credentials, clusterUpdatePermission);
  }

  private get policy() {
    return this.options.verify.addressPolicy;
  }

  /**
   * Checks a registration as far as it can be checked without its
   * credential (permission, addresses), for the MCP action that hands a
   * person a link to complete it.
   */
  async checkRegistration(input: CreateInput, caller: Caller): Promise<void> {
    await this.authorize(caller, clusterCreatePermission);
    this.assertManageable(
      await this.manageDecision(caller),
      permissionResourceOf(input),
      'register',
    );
    this.assertAddresses(input);
  }

  /**
   * Runs the address policy on every address a request brings in: server
   * URL, proxy URL, SSH host, Prometheus URL. Each is a 400 naming its field.
   * Also for callers that only check (the MCP action that hands out a link).
   */
  assertAddresses(target: {
    serverUrl?: string;
    connection?: ConnectionInput | StoredConnection;
    prometheus?: { url: string } | null;
  }) {
    if (target.serverUrl) this.policy.assertUrl('serverUrl', target.serverUrl);
    const c = target.connection;
    if (c?.method === 'proxy')
      this.policy.assertUrl('connection.proxyUrl', c.proxyUrl);
    if (c?.method === 'sshTunnel')
      this.policy.assertHost('connection.sshTunnel.host', c.sshTunnel.host);
    if (target.prometheus)
      this.policy.assertUrl('prometheus.url', target.prometheus.url);
  }

  // ── reads: every entry point reads through here too ─────────────────────
  /** One cluster, without its secrets. */
  async getCluster(name: string, caller: Caller): Promise<ClusterRecord> {
    return (await this.authorizeOn(caller, clusterReadPermission, name))
      .current;
  }

  /**
   * A filtered page of the clusters the caller may read, without their
   * secrets; the policy's conditions are part of the query, so pages and
   * totals count only those.
   */
  async listClusters(
    options: Omit<ListClustersOptions, 'permitted'>,
    caller: Caller,
  ) {
    const decision = await this.authz.decide(
      caller.credentials,
      clusterReadPermission,
    );
    return this.store.listClusters({
      ...options,
      permitted: decision.criteria,
    });
  }

  /** Every category (its name and meaning are not the clusters' to hide). */
  async listCategories(caller: Caller): Promise<Category[]> {
    await this.authz.decide(caller.credentials, clusterReadPermission);
    return this.store.listCategories();
  }

  // ── for the health sweep (internal: no caller, not reachable from a route) ──
  /** Every non-isolated cluster with its secrets, for the health sweep. */
  clustersToCheck(
    onUnreadable?: (name: string, error: Error) => void,
  ): Promise<ClusterRecordWithSecrets[]> {
    return this.store.listAllClustersWithSecrets({ onUnreadable });
  }

  /**
   * Every cluster a trusted backend plugin may dial, credentials included.
   * A cluster whose address the policy refuses today (it may have been
   * tightened since the cluster was stored) is not handed out.
   */
  async listConnections(caller: Caller): Promise<ClusterConnection[]> {
    return (await this.dialable(caller)).connections;
  }

  /**
   * One cluster of {@link ClusterService.listConnections}, read the same way:
   * a 404 wherever that list would leave it out, so a consumer that keeps
   * the list and applies change events to it holds what a full read would
   * give.
   */
  async getConnection(
    name: string,
    caller: Caller,
  ): Promise<ClusterConnection> {
    const { connections, unreadable } = await this.dialable(caller, name);
    if (connections.length === 0)
      throw fieldError(
        'name',
        unreadable
          ? `the secrets of cluster ${name} cannot be decrypted: ${unreadable.message}`
          : `no dialable cluster named '${name}'`,
        NotFoundError,
      );
    return connections[0];
  }

  /**
   * The connections the caller may read (of one cluster, if named), and why
   * the named one's row was left out if its secrets cannot be decrypted.
   */
  private async dialable(
    caller: Caller,
    name?: string,
  ): Promise<{ connections: ClusterConnection[]; unreadable?: Error }> {
    const permitted = (await this.decideConnections(caller))?.criteria;
    let unreadable: Error | undefined;
    const clusters = await this.store.listAllClustersWithSecrets({
      permitted,
      names: name === undefined ? undefined : [name],
      onUnreadable: (_, error) => {
        unreadable = error;
      },
    });
    return {
      connections: clusters.filter(c => this.isDialable(c)).map(toConnection),
      unreadable,
    };
  }

  /**
   * Whether the caller may read credentials: a plugin in
   * credentialConsumers (its own work, undefined: every cluster), or such a
   * plugin on behalf of a user (the Kubernetes plugin answering them): then
   * the user's decision on clusterReadPermission.
   */
  private async decideConnections(
    caller: Caller,
  ): Promise<ClusterDecision | undefined> {
    const { principal } = caller.credentials as {
      principal: {
        type: string;
        subject?: string;
        actor?: { subject: string };
      };
    };
    const consumers = this.options.credentialConsumers ?? [];
    const isConsumer = (subject?: string) =>
      consumers.some(pluginId => subject === `plugin:${pluginId}`);
    const onBehalf =
      principal.type === 'user' && isConsumer(principal.actor?.subject);
    if (
      !onBehalf &&
      (principal.type !== 'service' || !isConsumer(principal.subject))
    ) {
      throw new NotAllowedError(
        `${
          principal.subject ?? principal.actor?.subject ?? principal.type
        } may not read cluster credentials (clusterRegistry.credentialConsumers)`,
      );
    }
    return onBehalf
      ? this.authz.decide(caller.credentials, clusterReadPermission)
      : undefined;
  }

  /** Whether a stored cluster's addresses pass the address policy as configured now. */
  isDialable(record: ClusterRecord): boolean {
    if (!record.serverUrl) return false;
    // The last check found its name resolving to a refused address (DNS
    // re-pointed after registration): not handed out until a check passes.
    if (
      record.status.state === 'unreachable' &&
      record.status.message?.startsWith(ADDRESS_POLICY_REFUSAL)
    )
      return false;
    try {
      this.assertAddresses(record);
      return true;
    } catch {
      return false;
    }
  }

  // ── kubeconfigs: data only, parsed off the main thread ──────────────────

  async inspectKubeconfig(
    text: string,
    caller: Caller,
  ): Promise<KubeconfigInspection> {
    await this.authorize(caller, clusterCreatePermission);
    return inspectKubeconfig(await parseKubeconfig(text), this.policy);
  }

  /**
   * Registers the picked contexts of a kubeconfig, each as its own change
   * (one audit event per cluster). A context may fail on its own (bad
   * input, a name taken, an unknown category) while the others go on; any
   * other error fails the whole import. The contexts share one
   * verification deadline and are verified a few at a time, so an import of
   * 100 contexts that never answer still answers within one verification
   * timeout.
   */
  async importKubeconfig(
    input: ImportInput,
    caller: Caller,
  ): Promise<KubeconfigImportResult[]> {
    const acting = await this.authorize(caller, clusterCreatePermission);
    const manage = await this.manageDecision(caller);
    const kc = await parseKubeconfig(input.kubeconfig);
    const deadline = Date.now() + this.verificationTimeoutMs;
    const importOne = async (
      pick: ImportInput['contexts'][number],
    ): Promise<KubeconfigImportResult> => {
      let name = pick.name ?? pick.context;
      try {
        const fromContext = registrationFromContext(
          kc,
          pick.context,
          this.policy,
        );
        name = pick.name ?? fromContext.name;
        const registration = parse(createClusterSchema, {
          ...fromContext,
          name,
          title: pick.title,
          description: pick.description,
          category: pick.category ?? input.category,
          owner: pick.owner ?? input.owner,
          labels: pick.labels,
          serviceAccount: input.serviceAccount,
          skipVerification: input.skipVerification,
        });
        this.assertManageable(
          manage,
          permissionResourceOf(registration),
          'register',
        );
        const record = await this.registerAs(registration, acting, {
          timeoutMs: Math.max(1, deadline - Date.now()),
          meta: { context: pick.context },
        });
        return {
          context: pick.context,
          name,
          status: 'created',
          cluster: toClusterView(record, this.options.verify.supportedVersions),
        };
      } catch (error) {
        if (!isError(error) || !PER_CONTEXT_ERRORS.has(error.name)) throw error;
        const { fields } = error as { fields?: FieldIssue[] };
        return {
          context: pick.context,
          name,
          status: 'failed',
          error: { name: error.name, message: error.message, fields },
        };
      }
    };
    const results: KubeconfigImportResult[] = new Array(input.contexts.length);
    let next = 0;
    await Promise.all(
      Array.from(
        { length: Math.min(IMPORT_CONCURRENCY, input.contexts.length) },
        async () => {
          while (next < input.contexts.length) {
            const i = next++;
            results[i] = await importOne(input.contexts[i]);
          }
        },
      ),
    );
    return results;
  }

  /**
   * Connects with the given settings, without storing anything. The server
   * URL has been checked where it entered (register, rotate, verify).
   */
  async probe(
    target: {
      serverUrl: string;
      auth: StoredAuth;
      tls: ClusterTls;
      connection: StoredConnection;
      secrets: ClusterSecrets;
    },
    timeoutMs = this.options.verify.timeoutMs,
    options: { trustUnpinned?: boolean; ownConnection?: boolean } = {},
  ): Promise<ClusterProbe> {
    // An expired credential is not sent: the answer is known.
    if (isExpired(target.auth.expiresAt)) {
      return {
        ok: false,
        reason: 'unauthorized',
        field: 'auth',
        message: expiredMessage(target.auth, target.auth.expiresAt!),
      };
    }
    const endpoint = { name: 'verify', ...target };
    const verify = { ...this.options.verify, timeoutMs };
    const opened = openClusterTunnel(this.options.connections, target, {
      timeoutMs,
      trustUnpinned: options.trustUnpinned,
      ownConnection: options.ownConnection,
    });
    if ('refusal' in opened)
      return {
        ok: false,
        reason: 'invalid',
        field: 'connection',
        message: opened.refusal,
      };
    const tunnel = opened.handle;
    if (!tunnel) return verifyCluster(endpoint, verify);
    // Through a proxy or a bastion: the same verification, over its tunnel.
    try {
      const probe = await verifyCluster(endpoint, {
        ...verify,
        tunnel: tunnel.agent,
      });
      const seen = tunnel.hostKey();
      return seen && !probe.sshHostKey ? { ...probe, sshHostKey: seen } : probe;
    } finally {
      tunnel.close();
    }
  }

  /**
   * Verifies settings before they are stored. An SSH connection without
   * pinned host keys is verified trusting the key the bastion presents, and
   * that key (`probe.sshHostKey`) is what gets pinned when it succeeds.
   */
  private async verifyToStore(
    target: Parameters<ClusterService['probe']>[0],
    timeoutMs: number,
  ): Promise<{ probe: ClusterProbe; connection: StoredConnection }> {
    const unpinned =
      target.connection.method === 'sshTunnel' &&
      !target.connection.sshTunnel.hostKeys?.length;
    const probe = await this.probe(target, timeoutMs, {
      trustUnpinned: unpinned,
    });
    if (!probe.ok) ClusterService.failVerification(probe);
    let connection = target.connection;
    if (unpinned && connection.method === 'sshTunnel' && probe.sshHostKey) {
      connection = {
        ...connection,
        sshTunnel: {
          ...connection.sshTunnel,
          hostKeys: [probe.sshHostKey.publicKey],
        },
      };
    }
    return { probe, connection };
  }

  /** The request field a failed verification concerns. */
  static fieldOf(probe: ClusterProbe): string {
    return probe.field ?? FIELD_OF_REASON[probe.reason ?? 'error'];
  }

  private static failVerification(probe: ClusterProbe): never {
    const field = ClusterService.fieldOf(probe);
    throw fieldError(
      field,
      `verification failed (${probe.reason}): ${probe.message}`,
    );
  }

  /** Parses the unsaved-verify body (a registration body) and probes it. */
  async verifyUnsaved(
    input: CreateInput,
    caller: Caller,
  ): Promise<ClusterProbe> {
    await this.authorize(caller, clusterCreatePermission);
    if (input.isolated)
      throw fieldError(
        'isolated',
        'an isolated cluster has no endpoint to verify',
      );
    this.assertAddresses(input);
    const { auth, secrets: authSecrets } = splitAuth(input.auth!);
    const { connection, secrets: connSecrets } = splitConnection(
      input.connection ?? { method: 'direct' },
    );
    return this.probe(
      {
        serverUrl: input.serverUrl!,
        auth,
        tls: input.tls ?? { insecureSkipTlsVerify: false },
        connection,
        secrets: { ...authSecrets, ...connSecrets },
      },
      undefined,
      // Nothing is stored: the key the bastion presents is shown, to be
      // pinned by the registration that follows; the SSH connection is its
      // own, closed afterwards.
      { trustUnpinned: true, ownConnection: true },
    );
  }

  /** The deadline of one verification, in milliseconds. */
  get verificationTimeoutMs(): number {
    return this.options.verify.timeoutMs;
  }

  /**
   * Registers a cluster, verified first unless `skipVerification`;
   * `timeoutMs` shortens the verification (an import shares one deadline).
   */
  async register(input: CreateInput, caller: Caller): Promise<ClusterRecord> {
    const acting = await this.authorize(caller, clusterCreatePermission);
    this.assertManageable(
      await this.manageDecision(caller),
      permissionResourceOf(input),
      'register',
    );
    return this.registerAs(input, acting);
  }

  private async registerAs(
    input: CreateInput,
    caller: Acting,
    options: { timeoutMs?: number; meta?: Record<string, string> } = {},
  ): Promise<ClusterRecord> {
    return this.change(
      'cluster-register',
      { cluster: input.name, ...options.meta },
      caller,
      () =>
        this.registerNow(
          input,
          caller.actor,
          options.timeoutMs ?? this.options.verify.timeoutMs,
        ),
    );
  }

  private async registerNow(
    input: CreateInput,
    actor: string,
    timeoutMs: number,
  ): Promise<ClusterRecord> {
    const now = new Date().toISOString();
    const base = {
      name: input.name,
      title: input.title ?? input.name,
      description: input.description,
      category: input.category,
      labels: input.labels,
      owner: input.owner,
      origin: { type: 'registered' } as const,
      createdAt: now,
      updatedAt: now,
      createdBy: actor,
      updatedBy: actor,
    };
    if (input.isolated) {
      return this.store.createCluster({
        ...base,
        isolated: true,
        tls: { insecureSkipTlsVerify: false },
        connection: { method: 'direct' },
        secrets: {},
        status: { state: 'isolated', message: 'isolated cluster: not probed' },
      });
    }
    const admin = splitAuth(input.auth!);
    const split = splitConnection(input.connection ?? { method: 'direct' });
    let connection = split.connection;
    const connSecrets = split.secrets;
    const prom = input.prometheus
      ? splitPrometheus(input.prometheus)
      : undefined;
    const tls = input.tls ?? { insecureSkipTlsVerify: false };
    this.assertAddresses(input);

    // With `serviceAccount`, the credential given is an admin's: it creates
    // a ServiceAccount and is forgotten; only the account's token is kept.
    let { auth, secrets: authSecrets } = admin;
    let undoMinting: (() => Promise<unknown>) | undefined;
    if (input.serviceAccount) {
      // Nothing is created in the cluster for a name that is taken here.
      if ((await this.store.getClusters([input.name]))[0])
        throw fieldError(
          'name',
          `a cluster named '${input.name}' already exists`,
          ConflictError,
        );
      const adminTarget = {
        serverUrl: input.serverUrl!,
        auth: admin.auth,
        tls,
        connection,
        secrets: { ...admin.secrets, ...connSecrets },
      };
      const minted = await this.withKube(adminTarget, timeoutMs, call =>
        mintServiceAccount(call, {
          clusterName: input.name,
          ...this.serviceAccountSettings(input.serviceAccount!),
        }),
      );
      auth = {
        type: 'bearerToken',
        expiresAt: minted.token.expiresAt,
        serviceAccount: minted.account,
      };
      authSecrets = { token: minted.token.token };
      undoMinting = () =>
        this.withKube(adminTarget, this.options.verify.timeoutMs, call =>
          removeServiceAccount(call, minted.account),
        );
    }
    const secrets = { ...authSecrets, ...connSecrets, ...prom?.secrets };

    try {
      let status: StoredStatus = {
        state: 'pending',
        message:
          'registered without verification; waiting for the first health check',
      };
      if (!input.skipVerification) {
        const verified = await this.verifyToStore(
          { serverUrl: input.serverUrl!, auth, tls, connection, secrets },
          timeoutMs,
        );
        connection = verified.connection;
        status = statusFromProbe(verified.probe);
      }
      return await this.store.createCluster({
        ...base,
        isolated: false,
        serverUrl: input.serverUrl,
        auth,
        tls,
        connection,
        prometheus: prom?.prometheus,
        secrets,
        status,
      });
    } catch (error) {
      // Not registered after all: what was created in the cluster goes too.
      await undoMinting?.().catch(() => undefined);
      throw error;
    }
  }

  /** A registration's ServiceAccount settings over the configured defaults. */
  private serviceAccountSettings(request: ParsedServiceAccountRequest) {
    const defaults = {
      ...SERVICE_ACCOUNT_DEFAULTS,
      ...this.options.serviceAccounts,
    };
    return {
      namespace: request.namespace ?? defaults.namespace,
      clusterRole: request.clusterRole ?? defaults.clusterRole,
      tokenLifetimeSeconds:
        request.tokenLifetimeSeconds ?? defaults.tokenLifetimeSeconds,
      tokenType: request.tokenType ?? 'requested',
      secretTimeoutMs: this.options.verify.timeoutMs,
    };
  }

  /**
   * Runs requests against a cluster with the given settings, through its
   * connection method. A cluster that cannot be reached, or that refuses,
   * is a 400 naming the field to fix.
   */
  private async withKube<T>(
    target: Parameters<ClusterService['probe']>[0],
    timeoutMs: number,
    fn: (call: KubeCall) => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const opened = openClusterTunnel(this.options.connections, target, {
      timeoutMs,
    });
    if ('refusal' in opened) throw fieldError('connection', opened.refusal);
    const tunnel = opened.handle;
    const client = new KubeClient(
      buildKubeConfig({ name: 'registry', ...target }),
      this.policy,
      tunnel?.agent,
    );
    try {
      return await fn((method, path, body) =>
        client.request(method, path, {
          body,
          // At least 2 s each, so that undoing a mint that ran out of
          // time still reaches the API server.
          timeoutMs: Math.max(2_000, deadline - Date.now()),
        }),
      );
    } catch (e) {
      if (e instanceof KubeConnectionError)
        throw fieldError(
          e.field ?? (e.reason === 'tls' ? 'tls' : 'serverUrl'),
          e.message,
        );
      if (e instanceof ServiceAccountError)
        throw fieldError(e.field, e.message);
      throw e;
    } finally {
      client.close();
      tunnel?.close();
    }
  }

  /**
   * Renews the token of a ServiceAccount the registry minted, with the
   * account's own token, once less than `renewBeforeSeconds` (default half
   * the lifetime) is left; called by the health sweep before each check.
   * Returns the record as it is now.
   */
  async renewServiceAccountToken(
    record: ClusterRecordWithSecrets,
  ): Promise<ClusterRecordWithSecrets> {
    const auth = record.auth;
    if (auth?.type !== 'bearerToken' || !auth.serviceAccount) return record;
    const account = auth.serviceAccount;
    // A long-lived token Secret's token does not expire: nothing to renew.
    if (account.tokenType === 'secret') return record;
    const left = auth.expiresAt ? Date.parse(auth.expiresAt) - Date.now() : 0;
    const before =
      (this.options.serviceAccounts?.renewBeforeSeconds ??
        account.tokenLifetimeSeconds / 2) * 1000;
    if (left > before) return record;
    const token = await this.withKube(
      {
        serverUrl: record.serverUrl!,
        auth,
        tls: record.tls,
        connection: record.connection,
        secrets: record.secrets,
      },
      this.options.verify.timeoutMs,
      call => requestToken(call, account),
    );
    // Skip the write if the credential changed while the token was asked
    // for (a rotation, a removal): the newer credential stands.
    const now = (await this.store.getClusters([record.name]))[0]?.auth;
    if (
      now?.type !== 'bearerToken' ||
      now.serviceAccount?.name !== account.name ||
      now.expiresAt !== auth.expiresAt
    )
      return record;
    const renewed: StoredAuth = {
      ...auth,
      expiresAt: token.expiresAt,
      serviceAccount: { ...account, renewedAt: new Date().toISOString() },
    };
    await this.change(
      'cluster-renew-service-account-token',
      { cluster: record.name },
      REGISTRY_ACTOR,
      () =>
        this.store.updateCluster(record.name, {
          auth: renewed,
          secrets: { token: token.token },
          updatedBy: REGISTRY_ACTOR.actor,
        }),
    );
    return {
      ...record,
      auth: renewed,
      secrets: { ...record.secrets, token: token.token },
    };
  }

  /**
   * Deletes, with an admin's credential (used once, never stored), what the
   * registry created in the cluster for its ServiceAccount. The cluster
   * stays registered; its token stops working.
   */
  async removeServiceAccount(
    name: string,
    input: { auth: CreateInput['auth'] },
    caller: Caller,
  ) {
    const { acting, current } = await this.authorizeOn(
      caller,
      clusterDeletePermission,
      name,
      n => this.store.getClusterWithSecrets(n),
    );
    const account =
      current.auth?.type === 'bearerToken'
        ? current.auth.serviceAccount
        : undefined;
    if (!account)
      throw fieldError(
        'name',
        `the registry created no ServiceAccount in cluster ${name}`,
      );
    const admin = splitAuth(input.auth!);
    return this.change(
      'cluster-remove-service-account',
      { cluster: name },
      acting,
      async () => {
        const removed = await this.withKube(
          {
            serverUrl: current.serverUrl!,
            auth: admin.auth,
            tls: current.tls,
            connection: current.connection,
            secrets: { ...current.secrets, ...admin.secrets },
          },
          this.options.verify.timeoutMs,
          call => removeServiceAccount(call, account),
        );
        const { serviceAccount: _gone, ...rest } =
          current.auth as StoredAuth & {
            type: 'bearerToken';
          };
        await this.store.updateCluster(name, {
          auth: rest,
          updatedBy: acting.actor,
        });
        return { removed };
      },
    );
  }

  async update(
    name: string,
    input: UpdateInput,
    caller: Caller,
  ): Promise<ClusterRecord> {
    const { acting, decision } = await this.authorizeUpdate(caller, name);
    return this.change('cluster-update', { cluster: name }, acting, () =>
      this.updateNow(name, input, caller, acting.actor, decision),
    );
  }

  private async updateNow(
    name: string,
    input: UpdateInput,
    caller: Caller,
    actor: string,
    decision: ClusterDecision,
  ): Promise<ClusterRecord> {
    if (input.name !== undefined && input.name !== name) {
      throw fieldError(
        'name',
        'is immutable; register a new cluster to use another name',
      );
    }
    const current = await this.store.getClusterWithSecrets(name);
    if (input.tls || input.connection || input.prometheus)
      this.assertSettled(current, 'change its endpoint settings');
    if (
      current.isolated &&
      (input.tls || input.connection || input.prometheus)
    ) {
      throw fieldError(
        'connection',
        'an isolated cluster has no endpoint settings',
      );
    }
    const changes: ClusterChanges = {
      title: input.title,
      description: input.description,
      category: input.category,
      labels: input.labels,
      owner: input.owner,
      tls: input.tls,
      updatedBy: actor,
    };
    this.assertManageable(
      decision,
      {
        name,
        category:
          input.category === undefined
            ? current.category
            : input.category ?? undefined,
        owner:
          input.owner === undefined ? current.owner : input.owner ?? undefined,
        labels: input.labels ?? current.labels,
      },
      'edit',
    );
    this.assertAddresses({
      connection: input.connection,
      prometheus: input.prometheus,
    });
    let secrets: Partial<ClusterSecrets> | undefined;
    const connection = keepStoredConnectionSecrets(input.connection, current);
    if (connection) {
      const split = splitConnection(connection);
      changes.connection = split.connection;
      secrets = { ...secrets, ...split.secrets };
    }
    if (input.prometheus === null) {
      changes.prometheus = null;
      secrets = {
        ...secrets,
        prometheusPassword: undefined,
        prometheusClientKeyData: undefined,
      };
    } else if (input.prometheus) {
      const split = splitPrometheus(
        keepStoredPrometheusSecrets(input.prometheus, current),
      );
      changes.prometheus = split.prometheus;
      secrets = { ...secrets, ...split.secrets };
    }
    changes.secrets = secrets;
    // The server decides what changed: a TLS or connection value sent back
    // unchanged (as an edit form does) is not a reason to re-verify.
    const tlsChanged =
      input.tls !== undefined && !sameValue(input.tls, current.tls);
    const connectionChanged =
      changes.connection !== undefined &&
      (!sameValue(changes.connection, current.connection) ||
        CONNECTION_SECRETS.some(
          key => (secrets?.[key] ?? null) !== (current.secrets[key] ?? null),
        ));
    if (!tlsChanged) delete changes.tls;
    if (tlsChanged || connectionChanged)
      // They decide where the stored credential goes: a permission of its own.
      await this.assertMayRoute(
        caller,
        current,
        tlsChanged ? 'TLS trust' : 'connection',
      );
    if ((tlsChanged || connectionChanged) && !input.skipVerification) {
      const verified = await this.verifyToStore(
        {
          serverUrl: current.serverUrl!,
          auth: current.auth!,
          tls: input.tls ?? current.tls,
          connection: changes.connection ?? current.connection,
          secrets: { ...current.secrets, ...secrets },
        },
        this.options.verify.timeoutMs,
      );
      if (changes.connection) changes.connection = verified.connection;
      changes.status = statusFromProbe(verified.probe);
    }
    return this.store.updateCluster(name, changes);
  }

  /**
   * Replaces a cluster's credentials, verified like a registration. Given a
   * whole new kubeconfig, server, CA and credentials come from its context.
   */
  async rotateCredentials(
    name: string,
    input: RotateInput,
    caller: Caller,
  ): Promise<ClusterRecord> {
    const { acting } = await this.authorizeUpdate(caller, name);
    let rotation = input;
    if (input.kubeconfig) {
      const fromContext = registrationFromContext(
        await parseKubeconfig(input.kubeconfig),
        input.context!,
        this.policy,
      );
      rotation = parse(rotateCredentialsSchema, {
        serverUrl: fromContext.serverUrl,
        auth: fromContext.auth,
        tls: fromContext.tls,
        skipVerification: input.skipVerification,
      });
    }
    return this.change(
      'cluster-rotate-credentials',
      { cluster: name },
      acting,
      () => this.rotateNow(name, rotation, acting.actor),
    );
  }

  private async rotateNow(
    name: string,
    input: RotateInput,
    actor: string,
  ): Promise<ClusterRecord> {
    const current = await this.store.getClusterWithSecrets(name);
    this.assertSettled(current, 'rotate its credentials');
    if (current.isolated)
      throw fieldError('auth', 'an isolated cluster has no credentials');
    if (current.auth?.type === 'bearerToken' && current.auth.serviceAccount)
      throw fieldError(
        'auth',
        `the credential is ServiceAccount ${current.auth.serviceAccount.namespace}/${current.auth.serviceAccount.name}, which the registry created and renews; remove it first (disconnecting offers that) and register the cluster again to use another credential`,
      );
    const serverUrl = input.serverUrl ?? current.serverUrl!;
    const tls = input.tls ?? current.tls;
    const { auth, secrets } = splitAuth(input.auth!);
    this.assertAddresses({ serverUrl });
    let status: StoredStatus | undefined;
    if (!input.skipVerification) {
      const probe = await this.probe({
        serverUrl,
        auth,
        tls,
        connection: current.connection,
        secrets: { ...current.secrets, ...secrets },
      });
      if (!probe.ok) ClusterService.failVerification(probe);
      status = statusFromProbe(probe);
    }
    return this.store.updateCluster(name, {
      serverUrl,
      auth,
      tls,
      secrets,
      status,
      updatedBy: actor,
    });
  }

  /**
   * Trusts the host key the cluster's SSH bastion presents now in place of
   * the pinned ones, if it is the one the admin saw (`fingerprint`). The
   * cluster is verified over the new key before anything is stored.
   */
  async acceptSshHostKey(
    name: string,
    fingerprint: string,
    caller: Caller,
  ): Promise<ClusterRecord> {
    const { acting, current: visible } = await this.authorizeUpdate(
      caller,
      name,
    );
    // Trusting a bastion's key decides where the stored credentials go, as
    // the connection itself does.
    await this.assertMayRoute(caller, visible, 'SSH host key');
    return this.change(
      'cluster-accept-ssh-host-key',
      { cluster: name, fingerprint },
      acting,
      async () => {
        const current = await this.store.getClusterWithSecrets(name);
        if (current.connection.method !== 'sshTunnel')
          throw fieldError(
            'connection',
            'the cluster is not connected through an SSH bastion',
          );
        const pins = current.connection.sshTunnel.hostKeys ?? [];
        const revoked = pins.filter(line => line.trim().startsWith('@revoked'));
        if (revoked.some(line => fingerprintOfPin(line) === fingerprint))
          throw fieldError(
            'fingerprint',
            `${fingerprint} is revoked for this bastion (@revoked in its host keys); nothing was changed`,
            ConflictError,
          );
        // Pinned to exactly the key the admin saw: a bastion presenting any
        // other key is refused in the key exchange, before the stored
        // credentials are sent.
        const probe = await this.probe({
          serverUrl: current.serverUrl!,
          auth: current.auth!,
          tls: current.tls,
          connection: {
            method: 'sshTunnel',
            sshTunnel: {
              ...current.connection.sshTunnel,
              hostKeys: [fingerprint],
            },
          },
          secrets: current.secrets,
        });
        const seen = probe.sshHostKey;
        if (!seen)
          throw fieldError(
            'fingerprint',
            `the bastion could not be asked for its key: ${probe.message}`,
            ConflictError,
          );
        if (seen.fingerprint !== fingerprint)
          throw fieldError(
            'fingerprint',
            `the bastion presents ${seen.fingerprint} now, not ${fingerprint}; nothing was changed`,
            ConflictError,
          );
        if (!probe.ok) ClusterService.failVerification(probe);
        return this.store.updateCluster(name, {
          connection: {
            method: 'sshTunnel',
            sshTunnel: {
              ...current.connection.sshTunnel,
              // The new key replaces the pins; revocations stay.
              hostKeys: [...revoked, seen.publicKey],
            },
          },
          status: statusFromProbe(probe),
          updatedBy: acting.actor,
        });
      },
    );
  }

  /** Tests the stored Prometheus endpoint of a cluster, or the given unsaved settings. */
  async testPrometheus(
    target: { cluster: string } | { settings: PrometheusInput },
    caller: Caller,
  ): Promise<PrometheusTestResult> {
    const timeoutMs = this.options.verify.timeoutMs;
    if ('settings' in target) {
      await this.authorize(caller, clusterCreatePermission);
      const unsaved = target.settings;
      // The body of POST /prometheus/test is the settings themselves.
      this.policy.assertUrl('url', unsaved.url);
      if (unsaved.throughClusterConnection)
        throw fieldError(
          'throughClusterConnection',
          'an unsaved endpoint has no cluster connection to go through: register the cluster, then test its Prometheus (POST /clusters/{name}/prometheus/test)',
        );
      const split = splitPrometheus(unsaved);
      return testPrometheus(
        new PrometheusClient(split.prometheus, split.secrets, this.policy, {
          timeoutMs,
        }),
        timeoutMs,
      );
    }
    const reader = await this.openForReading(target.cluster, caller);
    try {
      if (!reader.prometheus)
        throw fieldError(
          'prometheus',
          'the cluster has no Prometheus endpoint',
        );
      return await testPrometheus(reader.prometheus, timeoutMs);
    } finally {
      reader.close();
    }
  }

  /**
   * Read access to a cluster's API server and Prometheus with its stored
   * credentials, through its connection method, for the insight and metrics
   * views. The caller needs `cluster-registry.cluster.read` on this
   * cluster, and `also` if given (raw PromQL); the reader is theirs to close.
   */
  async openForReading(
    name: string,
    caller: Caller,
    also?: BasicPermission,
  ): Promise<ClusterReader> {
    if (also) await this.authorize(caller, also);
    const { current } = await this.authorizeOn(
      caller,
      clusterReadPermission,
      name,
      n => this.store.getClusterWithSecrets(n),
    );
    return this.openInternal(current);
  }

  /** A reader for a record already read (internal callers that authorized). */
  openInternal(record: ClusterRecordWithSecrets): Promise<ClusterReader> {
    return openClusterReader(record, {
      verify: this.options.verify,
      connections: this.options.connections,
      // A page of 250 nodes or pods; parsing more at once would hold the event loop.
      maxResponseChars: 8 * 1024 * 1024,
      maxPrometheusChars: 4 * 1024 * 1024,
    });
  }

  /**
   * Checks the caller may read some clusters, for reads that span several
   * (entity metrics, which then read those that `listClusters` gives them).
   */
  async authorizeRead(caller: Caller): Promise<void> {
    await this.authz.decide(caller.credentials, clusterReadPermission);
  }

  /** A stored cluster with its secrets, for a caller authorized by authorizeRead and a list they were given. */
  readWithSecrets(name: string): Promise<ClusterRecordWithSecrets> {
    return this.store.getClusterWithSecrets(name);
  }

  /** The latest health samples of the named clusters (the list's trend column). */
  async healthTrends(names: string[], caller: Caller) {
    const decision = await this.authz.decide(
      caller.credentials,
      clusterReadPermission,
    );
    return this.store.listHealthSamples(names, decision.criteria);
  }

  /** Re-checks a stored cluster now and records the result. */
  async refresh(name: string, caller: Caller): Promise<ClusterRecord> {
    const { acting, current } = await this.authorizeOn(
      caller,
      clusterUpdatePermission,
      name,
      n => this.store.getClusterWithSecrets(n),
    );
    if (current.isolated) return current;
    this.assertSettled(current, 'refresh it');
    const started = Date.now();
    const probe = await this.probe({
      serverUrl: current.serverUrl!,
      auth: current.auth!,
      tls: current.tls,
      connection: current.connection,
      secrets: current.secrets,
    });
    return this.change(
      'cluster-refresh',
      { cluster: name },
      acting,
      async () => {
        await this.store.updateStatus(
          name,
          statusFromProbe(probe),
          Date.now() - started,
        );
        return this.store.getCluster(name);
      },
    );
  }

  /**
   * Records what health checks found, in one write. Not a user's change (no
   * audit event), but each state transition is announced, so that the
   * catalog entity and the other replicas follow within seconds.
   */
  async recordHealthOf(
    checks: Array<{
      record: ClusterRecord;
      probe: ClusterProbe;
      latencyMs?: number;
    }>,
  ): Promise<void> {
    const found = checks.map(c => ({ ...c, status: statusFromProbe(c.probe) }));
    await this.store.updateStatuses(
      found.map(c => ({
        name: c.record.name,
        status: c.status,
        latencyMs: c.latencyMs,
      })),
    );
    // A refusal by the address policy takes the cluster out of what
    // consumers may dial (isDialable) without a change of state: announced too.
    const refused = (message?: string) =>
      !!message?.startsWith(ADDRESS_POLICY_REFUSAL);
    for (const { record, status } of found) {
      if (
        status.state !== record.status.state ||
        refused(status.message) !== refused(record.status.message)
      ) {
        await this.options.announce?.({
          eventId: 'cluster-state',
          cluster: record.name,
        });
      }
    }
  }

  async deleteCluster(name: string, caller: Caller): Promise<void> {
    const { acting, current } = await this.authorizeOn(
      caller,
      clusterDeletePermission,
      name,
    );
    // Disconnecting forgets a cluster; the task creating or deleting it
    // would go on with no record to report to.
    // A deletion at the provider that failed may be given up: the record
    // goes, what is left at the provider stays.
    const { state } = current.status;
    const failedDelete =
      state === 'deleting' &&
      (await this.requestOf(current))?.state === 'failed';
    if ((state === 'provisioning' || state === 'deleting') && !failedDelete)
      this.assertSettled(current, 'disconnect it');
    return this.change('cluster-disconnect', { cluster: name }, acting, () =>
      this.store.deleteCluster(name),
    );
  }

  // ── creating and deleting clusters at a provider ───────────────────────
  private get provisioning() {
    const p = this.options.provisioning;
    if (!p)
      throw fieldError(
        'provider',
        'this portal creates no clusters at providers (no provisioner module is installed)',
      );
    return p;
  }

  private provisionerOf(id: string) {
    const provisioner = this.provisioning.provisioners.get(id);
    if (!provisioner)
      throw fieldError(
        'provider',
        `no provisioner '${id}' is installed in this portal`,
      );
    return provisioner;
  }

  /**
   * The latest request of this cluster record: its create request, or a
   * delete of it. Requests left by an earlier cluster of the same name
   * (created, then disconnected) are not this one's.
   */
  private async requestOf(
    current: ClusterRecord,
  ): Promise<ProvisioningRecord | undefined> {
    const createId =
      current.origin.type === 'provisioned'
        ? current.origin.requestId
        : undefined;
    if (!createId) return undefined;
    const latest = await this.options.provisioning?.store.latestFor(
      current.name,
    );
    if (
      latest &&
      (latest.id === createId || latest.resources.createRequestId === createId)
    )
      return latest;
    return undefined;
  }

  /** The providers clusters can be created at, with what their configuration allows. */
  async listProvisioners(caller: Caller): Promise<ProvisionerInfo[]> {
    await this.authz.decide(caller.credentials, clusterReadPermission);
    return [...(this.options.provisioning?.provisioners.values() ?? [])].map(
      p => p.info(),
    );
  }

  /**
   * Registers a cluster at once (state `provisioning`) and records the
   * request to create it, in one transaction, after the whole request was
   * validated: nothing is created at the provider for a request refused
   * here. The scheduled task then runs the steps. An idempotency key seen
   * before answers with its request.
   */
  async provision(
    input: ParsedProvisionCluster,
    caller: Caller,
  ): Promise<{
    cluster: ClusterRecord;
    request: ProvisioningRecord;
    existing: boolean;
  }> {
    const acting = await this.authorize(caller, clusterProvisionPermission);
    this.assertManageable(
      await this.manageDecision(caller),
      permissionResourceOf(input),
      'register',
    );
    const { store, trigger } = this.provisioning;
    if (input.idempotencyKey) {
      const seen = await store.byIdempotencyKey(input.idempotencyKey);
      if (seen) {
        // Only to whoever may read that cluster.
        await this.authorizeOn(caller, clusterReadPermission, seen.cluster);
        if (seen.cluster !== input.name)
          throw fieldError(
            'idempotencyKey',
            `was used for cluster '${seen.cluster}'`,
            ConflictError,
          );
        return {
          cluster: await this.store.getCluster(seen.cluster),
          request: seen,
          existing: true,
        };
      }
    }
    const provisioner = this.provisionerOf(input.provider);
    if ((await this.store.getClusters([input.name]))[0])
      throw fieldError(
        'name',
        `a cluster named '${input.name}' already exists`,
        ConflictError,
      );
    // The provider names fields of its spec; the request has it under its id.
    const spec = await provisioner
      .validate({ clusterName: input.name, spec: input[input.provider] })
      .catch(error => {
        const fields = (error as { fields?: FieldIssue[] }).fields;
        if (!isError(error) || error.name !== 'InputError' || !fields)
          throw error;
        throw fieldsError(
          fields.map(f => ({
            field: `${input.provider}.${f.field}`,
            reason: f.reason,
          })),
        );
      });
    const now = new Date().toISOString();
    const id = crypto.randomUUID();
    const steps = plannedSteps(provisioner, 'create', spec, {});
    const request: ProvisioningRecord = {
      id,
      cluster: input.name,
      provider: input.provider,
      operation: 'create',
      state: 'running',
      currentStep: steps[0].id,
      steps,
      spec: spec as ProvisioningRecord['spec'],
      resources: {},
      idempotencyKey: input.idempotencyKey,
      attempts: 0,
      nextCheckAt: now,
      createdBy: acting.actor,
      createdAt: now,
      updatedAt: now,
    };
    const cluster = await this.change(
      'cluster-provision',
      { cluster: input.name, provider: input.provider, request: id },
      acting,
      () =>
        this.store.createCluster(
          {
            name: input.name,
            title: input.title ?? input.name,
            description: input.description,
            category: input.category,
            labels: input.labels,
            owner: input.owner,
            origin: {
              type: 'provisioned',
              provider: input.provider,
              requestId: id,
            },
            createdAt: now,
            updatedAt: now,
            createdBy: acting.actor,
            updatedBy: acting.actor,
            isolated: false,
            tls: { insecureSkipTlsVerify: false },
            connection: { method: 'direct' },
            secrets: {},
            status: {
              state: 'provisioning',
              message: `${steps[0].title}: waiting to start`,
            },
          },
          tx => store.insert(request, tx),
        ),
    );
    await trigger?.();
    return { cluster, request, existing: false };
  }

  /** The cluster's latest provisioning request, with its steps. */
  async getProvisioning(
    name: string,
    caller: Caller,
  ): Promise<ProvisioningRecord> {
    const decision = await this.authz.decide(
      caller.credentials,
      clusterReadPermission,
    );
    const cluster = (await this.store.getClusters([name]))[0];
    const request = await this.options.provisioning?.store.latestFor(name);
    // A cluster deleted at its provider is gone from the registry; whoever
    // may read every cluster still sees how its deletion ended.
    const deleted =
      !cluster && !decision.criteria && request?.operation === 'delete';
    if (!deleted) {
      const { current } = await this.authorizeOn(
        caller,
        clusterReadPermission,
        name,
      );
      const own = await this.requestOf(current);
      if (!own)
        throw fieldError(
          'name',
          `cluster '${name}' was not created by the portal`,
          NotFoundError,
        );
      return own;
    }
    if (!request)
      throw fieldError(
        'name',
        `cluster '${name}' was not created by the portal`,
        NotFoundError,
      );
    return request;
  }

  /** Runs a failed create or delete again from its failed step. */
  async retryProvisioning(
    name: string,
    caller: Caller,
  ): Promise<ProvisioningRecord> {
    const { store, trigger } = this.provisioning;
    const { current: visible } = await this.authorizeOn(
      caller,
      clusterReadPermission,
      name,
    );
    const latest = await this.requestOf(visible);
    const permission =
      latest?.operation === 'delete'
        ? clusterDeprovisionPermission
        : clusterUpdatePermission;
    const { acting } = await this.authorizeOn(caller, permission, name);
    if (latest?.operation !== 'delete')
      await this.authorize(caller, clusterProvisionPermission);
    if (!latest)
      throw fieldError(
        'name',
        `cluster '${name}' was not created by the portal`,
        NotFoundError,
      );
    if (latest.state !== 'failed')
      throw fieldError(
        'name',
        `the ${latest.operation} of cluster '${name}' has not failed (it is ${latest.state})`,
        ConflictError,
      );
    const failed = latest.steps.find(s => s.state === 'failed');
    const steps = latest.steps.map(s =>
      s === failed ? { ...s, state: 'pending' as const, error: undefined } : s,
    );
    return this.change(
      'cluster-provision-retry',
      { cluster: name, request: latest.id },
      acting,
      async () => {
        if (
          !(await store.restart(
            latest.id,
            name,
            steps,
            failed?.id ?? steps[0].id,
          ))
        )
          throw fieldError(
            'name',
            `the request of '${name}' changed meanwhile`,
            ConflictError,
          );
        await this.store.setLifecycleState(
          name,
          latest.operation === 'create' ? 'provisioning' : 'deleting',
          `${failed?.title ?? 'retrying'}: retrying`,
        );
        await trigger?.();
        return (await store.get(latest.id))!;
      },
    );
  }

  /**
   * Deletes a portal-created cluster at its provider: the cluster leaves
   * the Kubernetes plugin at once, then what the portal created goes in
   * reverse order, then the record.
   */
  async deprovision(name: string, caller: Caller): Promise<ProvisioningRecord> {
    const { acting, current } = await this.authorizeOn(
      caller,
      clusterDeprovisionPermission,
      name,
    );
    const { store, trigger } = this.provisioning;
    if (current.origin.type !== 'provisioned')
      throw fieldError(
        'name',
        `cluster '${name}' was registered, not created by the portal: the portal deletes nothing at a provider for it (Disconnect removes it from the portal)`,
        ConflictError,
      );
    const latest = await this.requestOf(current);
    if (latest?.state === 'running')
      throw fieldError(
        'name',
        latest.operation === 'create'
          ? `cluster '${name}' is still being created; delete it once that has finished or failed`
          : `cluster '${name}' is already being deleted`,
        ConflictError,
      );
    const provisioner = this.provisionerOf(current.origin.provider ?? '');
    // Everything the create request (and an earlier delete) recorded, and
    // which request's tag marks what the portal made.
    const created = {
      ...latest?.resources,
      createRequestId: current.origin.requestId,
    };
    const spec = latest?.spec ?? {};
    const now = new Date().toISOString();
    const steps = plannedSteps(provisioner, 'delete', spec, created);
    const request: ProvisioningRecord = {
      id: crypto.randomUUID(),
      cluster: name,
      provider: provisioner.id,
      operation: 'delete',
      state: 'running',
      currentStep: steps[0].id,
      steps,
      spec: spec as ProvisioningRecord['spec'],
      resources: created,
      outputs: latest?.outputs,
      attempts: 0,
      nextCheckAt: now,
      createdBy: acting.actor,
      createdAt: now,
      updatedAt: now,
    };
    await this.change(
      'cluster-deprovision',
      { cluster: name, provider: provisioner.id, request: request.id },
      acting,
      async () => {
        if (!(await store.insertExclusive(request)))
          throw fieldError(
            'name',
            `cluster '${name}' is already being created or deleted`,
            ConflictError,
          );
        await this.store.setLifecycleState(
          name,
          'deleting',
          `${steps[0].title}: waiting to start`,
        );
      },
    );
    await trigger?.();
    return request;
  }

  /** What the provisioning task's registry steps do (internal: no caller). */
  provisioningHooks(): RegistryHooks {
    return {
      register: async (request, target) => {
        const auth: StoredAuth = {
          type: 'aws',
          clusterId: target.auth.clusterId,
          assumeRole: target.auth.assumeRole,
          externalId: target.auth.externalId,
        };
        const tls: ClusterTls = {
          caData: target.caData,
          insecureSkipTlsVerify: false,
        };
        try {
          this.policy.assertUrl('serverUrl', target.serverUrl);
        } catch (e) {
          throw new ProvisioningStepError(
            `the provider's endpoint ${
              target.serverUrl
            } is refused by the portal's address policy: ${
              (e as Error).message
            }`,
            { hint: 'allow it in clusterRegistry.addressPolicy, then retry' },
          );
        }
        const probe = await this.probe({
          serverUrl: target.serverUrl,
          auth,
          tls,
          connection: { method: 'direct' },
          secrets: {},
        });
        if (!probe.ok)
          throw new ProvisioningStepError(
            `the cluster does not accept the portal yet (${probe.reason}): ${probe.message}`,
            {
              retryable: true,
              hint: "access entries and aws-auth changes take a moment; if this lasts, check that the portal's IAM role is granted read access",
            },
          );
        await this.change(
          'cluster-provisioned',
          { cluster: request.cluster, request: request.id },
          REGISTRY_ACTOR,
          () =>
            this.store.updateCluster(request.cluster, {
              serverUrl: target.serverUrl,
              auth,
              tls,
              status: statusFromProbe(probe),
              updatedBy: REGISTRY_ACTOR.actor,
            }),
        );
        return {
          status: 'done',
          message: `verified: Kubernetes ${
            probe.kubernetesVersion ?? '?'
          }, in the Kubernetes plugin and the catalog`,
        };
      },
      deregister: async request => {
        await this.store.setLifecycleState(
          request.cluster,
          'deleting',
          'being deleted at its provider',
        );
        await this.options.announce?.({
          eventId: 'cluster-state',
          cluster: request.cluster,
        });
      },
      remove: async request => {
        await this.change(
          'cluster-disconnect',
          { cluster: request.cluster, request: request.id },
          REGISTRY_ACTOR,
          () =>
            this.store.deleteCluster(request.cluster).catch(e => {
              if (!(e instanceof NotFoundError)) throw e;
            }),
        );
      },
      showProgress: async (request, state, message) => {
        const before = await this.store.setLifecycleState(
          request.cluster,
          state,
          message,
        );
        if (before !== undefined && before !== state)
          await this.options.announce?.({
            eventId: 'cluster-state',
            cluster: request.cluster,
          });
      },
      kubernetes: target => ({
        request: async (method, path, body) => {
          const awsTokens = this.options.verify.awsTokens;
          if (!awsTokens) throw new Error('no AWS token source');
          const token = await awsTokens(target.auth);
          const client = new KubeClient(
            buildKubeConfig(
              {
                name: 'provisioning',
                serverUrl: target.serverUrl,
                auth: { type: 'aws', clusterId: target.auth.clusterId },
                tls: { caData: target.caData, insecureSkipTlsVerify: false },
                secrets: {},
              },
              token,
            ),
            this.policy,
          );
          try {
            return await client.request(method, path, {
              body,
              timeoutMs: this.options.verify.timeoutMs,
            });
          } finally {
            client.close();
          }
        },
      }),
    };
  }

  // ── categories ──────────────────────────────────────────────────────────
  async createCategory(category: Category, caller: Caller): Promise<Category> {
    const acting = await this.authorize(caller, categoryManagePermission);
    return this.change(
      'category-create',
      { category: category.name },
      acting,
      () => this.store.createCategory(category),
    );
  }

  async updateCategory(
    name: string,
    changes: Omit<Category, 'name'>,
    caller: Caller,
  ): Promise<Category> {
    const acting = await this.authorize(caller, categoryManagePermission);
    return this.change('category-update', { category: name }, acting, () =>
      this.store.updateCategory(name, changes),
    );
  }

  async deleteCategory(
    name: string,
    options: { reassignTo?: string | null },
    caller: Caller,
  ): Promise<void> {
    const acting = await this.authorize(caller, categoryManagePermission);
    return this.change('category-delete', { category: name }, acting, () =>
      this.store.deleteCategory(name, options),
    );
  }
}

/** What the permission rules see of a registration. */
function permissionResourceOf(input: {
  name: string;
  category?: string;
  owner?: string;
  labels?: Record<string, string>;
}): ClusterPermissionResource {
  return {
    name: input.name,
    category: input.category,
    owner: input.owner,
    labels: input.labels ?? {},
  };
}

/** "in category qa, owned by group:default/qa", for a refusal. */
function describe(cluster: ClusterPermissionResource): string {
  return [
    cluster.category ? `in category ${cluster.category}` : 'without a category',
    cluster.owner ? `owned by ${cluster.owner}` : 'without an owner',
  ].join(', ');
}
