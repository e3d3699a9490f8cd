import {
  Cluster,
  connectionFromFields,
  CreateClusterRequest,
  UpdateClusterRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
/** One problem of a failed zod parse (what errorsFromIssues needs of it). */
export interface ZodIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What the registration and edit forms hold, as the user typed it, and the
 * conversions to the API's request bodies. Secret inputs are write-only: when
 * editing, an empty secret means "keep the stored one".
 */

export interface DetailsForm {
  name: string;
  title: string;
  description: string;
  category: string;
  owner: string;
  /** `key=value` pairs separated by commas. */
  labels: string;
}

export interface EndpointForm {
  serverUrl: string;
  authType: 'bearerToken' | 'clientCertificate' | 'aws';
  token: string;
  certData: string;
  keyData: string;
  /** AWS IAM: the EKS cluster id the token is signed for, optional role. */
  awsClusterId: string;
  awsAssumeRole: string;
  awsExternalId: string;
  caData: string;
  insecureSkipTlsVerify: boolean;
}

export interface ConnectionForm {
  method: 'direct' | 'proxy' | 'sshTunnel';
  proxyUrl: string;
  proxyUsername: string;
  proxyPassword: string;
  sshHost: string;
  sshPort: string;
  sshUsername: string;
  sshPassword: string;
  sshPrivateKey: string;
  sshPassphrase: string;
  /** Pinned host keys, one per line (fingerprints, key lines, known_hosts lines). */
  sshHostKeys: string;
}

export interface PrometheusForm {
  enabled: boolean;
  url: string;
  authType: 'anonymous' | 'basic';
  username: string;
  password: string;
  caData: string;
  insecureSkipTlsVerify: boolean;
  clientCertData: string;
  clientKeyData: string;
  /** Through the cluster's proxy or SSH tunnel, for a Prometheus in its private network. */
  throughClusterConnection: boolean;
}

/** Field path (as the API names it, e.g. `auth.token`) → what is wrong. */
export type FieldErrors = Record<string, string>;

export const emptyDetails: DetailsForm = {
  name: '',
  title: '',
  description: '',
  category: '',
  owner: '',
  labels: '',
};

export const emptyEndpoint: EndpointForm = {
  serverUrl: '',
  authType: 'bearerToken',
  token: '',
  certData: '',
  keyData: '',
  awsClusterId: '',
  awsAssumeRole: '',
  awsExternalId: '',
  caData: '',
  insecureSkipTlsVerify: false,
};

export const emptyConnection: ConnectionForm = {
  method: 'direct',
  proxyUrl: '',
  proxyUsername: '',
  proxyPassword: '',
  sshHost: '',
  sshPort: '22',
  sshUsername: '',
  sshPassword: '',
  sshPrivateKey: '',
  sshPassphrase: '',
  sshHostKeys: '',
};

export const emptyPrometheus: PrometheusForm = {
  enabled: false,
  url: '',
  authType: 'anonymous',
  username: '',
  password: '',
  caData: '',
  insecureSkipTlsVerify: false,
  clientCertData: '',
  clientKeyData: '',
  throughClusterConnection: false,
};

const orUndefined = (value: string) => value.trim() || undefined;

/** Input the form can tell is wrong before sending anything. */
export class FormError extends Error {
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).join('; '));
    this.name = 'FormError';
  }
}

/** Parses `a=b, c=d`; a pair without `=` is reported on `labels`. */
export function parseLabels(
  text: string,
): Record<string, string> | { error: string } {
  const labels: Record<string, string> = {};
  for (const pair of text
    .split(',')
    .map(p => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { error: `write key=value pairs; "${pair}" is not` };
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function labelsOrThrow(text: string): Record<string, string> {
  const labels = parseLabels(text);
  if ('error' in labels) throw new FormError({ labels: labels.error });
  return labels;
}

export function connectionRequest(c: ConnectionForm) {
  return connectionFromFields({
    method: c.method,
    proxyUrl: c.proxyUrl.trim(),
    proxyUsername: c.proxyUsername.trim() || undefined,
    proxyPassword: c.proxyPassword || undefined,
    sshHost: c.sshHost.trim(),
    sshPort: Number(c.sshPort || 22),
    sshUsername: c.sshUsername.trim(),
    sshPassword: c.sshPassword || undefined,
    sshPrivateKey: c.sshPrivateKey || undefined,
    sshPassphrase: c.sshPassphrase || undefined,
    sshHostKeys: c.sshHostKeys
      .split('\n')
      .map(line => line.trim())
      .filter(Boolean),
  });
}

export function prometheusRequest(p: PrometheusForm) {
  if (!p.enabled) return undefined;
  const tlsSet =
    p.caData.trim() ||
    p.insecureSkipTlsVerify ||
    p.clientCertData.trim() ||
    p.clientKeyData.trim();
  return {
    url: p.url.trim(),
    auth:
      p.authType === 'basic'
        ? {
            type: 'basic' as const,
            username: p.username.trim(),
            password: p.password || undefined,
          }
        : { type: 'anonymous' as const },
    tls: tlsSet
      ? {
          caData: orUndefined(p.caData),
          insecureSkipTlsVerify: p.insecureSkipTlsVerify,
          clientCertData: orUndefined(p.clientCertData),
          clientKeyData: orUndefined(p.clientKeyData),
        }
      : undefined,
    throughClusterConnection: p.throughClusterConnection,
  };
}

/** The details part of a registration or creation request. */
export function detailsRequest(d: DetailsForm) {
  return {
    name: d.name.trim(),
    title: orUndefined(d.title),
    description: orUndefined(d.description),
    category: orUndefined(d.category),
    owner: orUndefined(d.owner),
    labels: labelsOrThrow(d.labels),
  };
}

export function authRequest(e: EndpointForm) {
  if (e.authType === 'aws') {
    return {
      type: 'aws' as const,
      clusterId: e.awsClusterId.trim(),
      assumeRole: orUndefined(e.awsAssumeRole),
      externalId: orUndefined(e.awsExternalId),
    };
  }
  return e.authType === 'clientCertificate'
    ? {
        type: 'clientCertificate' as const,
        certData: e.certData,
        keyData: e.keyData,
      }
    : { type: 'bearerToken' as const, token: e.token.trim() };
}

/** The endpoint form's credential fields as a stored cluster has them. */
export function endpointAuthFromCluster(
  auth: Cluster['auth'],
): Pick<
  EndpointForm,
  'authType' | 'awsClusterId' | 'awsAssumeRole' | 'awsExternalId'
> {
  if (auth?.type === 'aws') {
    return {
      authType: 'aws',
      awsClusterId: auth.clusterId,
      awsAssumeRole: auth.assumeRole ?? '',
      awsExternalId: auth.externalId ?? '',
    };
  }
  return {
    authType: auth?.type === 'clientCertificate' ? auth.type : 'bearerToken',
    awsClusterId: '',
    awsAssumeRole: '',
    awsExternalId: '',
  };
}

export function tlsRequest(e: EndpointForm) {
  return {
    caData: orUndefined(e.caData),
    insecureSkipTlsVerify: e.insecureSkipTlsVerify,
  };
}

/** POST /clusters (and /verify) body of the "Server URL & credentials" method. */
export function endpointRegistration(
  details: DetailsForm,
  endpoint: EndpointForm,
  connection: ConnectionForm,
  prometheus: PrometheusForm,
  skipVerification: boolean,
): CreateClusterRequest {
  return {
    ...detailsRequest(details),
    serverUrl: endpoint.serverUrl.trim(),
    auth: authRequest(endpoint),
    tls: tlsRequest(endpoint),
    connection: connectionRequest(connection),
    prometheus: prometheusRequest(
      prometheus,
    ) as CreateClusterRequest['prometheus'],
    skipVerification,
  };
}

/** The "create a ServiceAccount" choice of the token and kubeconfig forms. */
export interface ServiceAccountForm {
  enabled: boolean;
  clusterRole: string;
  tokenType: 'requested' | 'secret';
  tokenLifetimeHours: string;
}

export const emptyServiceAccount: ServiceAccountForm = {
  enabled: false,
  clusterRole: 'view',
  tokenType: 'requested',
  tokenLifetimeHours: '168',
};

/** `serviceAccount` of a registration, or nothing when not chosen. */
export function serviceAccountRequest(
  form: ServiceAccountForm,
): CreateClusterRequest['serviceAccount'] {
  if (!form.enabled) return undefined;
  if (form.tokenType === 'secret')
    return { clusterRole: form.clusterRole, tokenType: 'secret' };
  const text = form.tokenLifetimeHours.trim();
  const hours = Number(text);
  return {
    clusterRole: form.clusterRole,
    // Empty: the backend's default. Not a number is sent as such, and the
    // rules say why, by the field.
    ...(text && {
      tokenLifetimeSeconds: Number.isFinite(hours)
        ? Math.round(hours * 3600)
        : (text as unknown as number),
    }),
  };
}

/** POST /clusters body of an isolated cluster. */
export function isolatedRegistration(
  details: DetailsForm,
): CreateClusterRequest {
  return { ...detailsRequest(details), isolated: true };
}

/**
 * PATCH /clusters/{name} body: every editable field, cleared ones as null.
 * TLS and connection are sent only when they changed: the backend verifies
 * the cluster again when they are present, which editing a description
 * should not need.
 */
export function clusterUpdate(
  cluster: Cluster,
  details: DetailsForm,
  endpoint: Pick<EndpointForm, 'caData' | 'insecureSkipTlsVerify'>,
  connection: ConnectionForm,
  prometheus: PrometheusForm,
  skipVerification: boolean,
): UpdateClusterRequest {
  const { title, description, category, owner, labels } =
    detailsRequest(details);
  const update: UpdateClusterRequest = {
    title: title ?? cluster.name,
    description: description ?? null,
    category: category ?? null,
    owner: owner ?? null,
    labels,
  };
  if (cluster.isolated) return update;
  const initial = formsFromCluster(cluster);
  const same = (a: unknown, b: unknown) =>
    JSON.stringify(a) === JSON.stringify(b);
  const tls = {
    caData: orUndefined(endpoint.caData),
    insecureSkipTlsVerify: endpoint.insecureSkipTlsVerify,
  };
  const initialTls = {
    caData: orUndefined(initial.tls.caData),
    insecureSkipTlsVerify: initial.tls.insecureSkipTlsVerify,
  };
  const conn = connectionRequest(connection);
  return {
    ...update,
    tls: same(tls, initialTls) ? undefined : tls,
    connection: same(conn, connectionRequest(initial.connection))
      ? undefined
      : conn,
    prometheus: (prometheusRequest(prometheus) ??
      null) as UpdateClusterRequest['prometheus'],
    skipVerification,
  };
}

/** The forms pre-filled from a stored cluster; secrets stay empty (write-only). */
export function formsFromCluster(c: Cluster) {
  const details: DetailsForm = {
    name: c.name,
    title: c.title,
    description: c.description ?? '',
    category: c.category ?? '',
    owner: c.owner ?? '',
    labels: formatLabels(c.labels),
  };
  let connection = emptyConnection;
  if (c.connection.method === 'sshTunnel') {
    const t = c.connection.sshTunnel;
    connection = {
      ...emptyConnection,
      method: 'sshTunnel',
      sshHost: t.host,
      sshPort: String(t.port),
      sshUsername: t.username,
      sshHostKeys: t.hostKeys.join('\n'),
    };
  } else if (c.connection.method === 'proxy') {
    connection = {
      ...emptyConnection,
      method: 'proxy',
      proxyUrl: c.connection.proxyUrl,
      proxyUsername: c.connection.username ?? '',
    };
  }
  const p = c.prometheus;
  const prometheus: PrometheusForm = p
    ? {
        ...emptyPrometheus,
        enabled: true,
        url: p.url,
        authType: p.auth.type,
        username: p.auth.type === 'basic' ? p.auth.username : '',
        caData: p.tls?.caData ? atob(p.tls.caData) : '',
        insecureSkipTlsVerify: p.tls?.insecureSkipTlsVerify ?? false,
        clientCertData: p.tls?.clientCertData ? atob(p.tls.clientCertData) : '',
        throughClusterConnection: p.throughClusterConnection,
      }
    : emptyPrometheus;
  const tls = {
    caData: c.tls.caData ? atob(c.tls.caData) : '',
    insecureSkipTlsVerify: c.tls.insecureSkipTlsVerify,
  };
  return { details, connection, prometheus, tls };
}

/** The first issue per field of a failed zod parse. */
export function errorsFromIssues(issues: ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.join('.') || '_';
    errors[key] ??= issue.message;
  }
  return errors;
}

/**
 * The backend reports bad input as data: `error.fields`, a list of
 * `{ field, reason }`; each reason goes next to its field. Anything without
 * fields (401, 403, a failed request) is a general error (`_`).
 */
export function errorsFromResponse(error: unknown): FieldErrors {
  if (error instanceof FormError) return error.errors;
  const body = (
    error as {
      body?: {
        error?: {
          message?: string;
          fields?: Array<{ field?: unknown; reason?: unknown }>;
        };
      };
    }
  )?.body;
  const errors: FieldErrors = {};
  for (const issue of body?.error?.fields ?? []) {
    if (typeof issue.field === 'string' && typeof issue.reason === 'string')
      errors[issue.field] ??= issue.reason;
  }
  if (!Object.keys(errors).length) {
    errors._ = body?.error?.message ?? String((error as Error)?.message);
  }
  return errors;
}

/** The error for a field: its own, else the one reported on its section. */
export function errorFor(
  errors: FieldErrors,
  field: string,
  ...sections: string[]
): string | undefined {
  return (
    errors[field] ??
    sections.map(s => errors[s]).find(e => e !== undefined) ??
    undefined
  );
}

/** The first error on a field or anything under it (`labels`, `labels.region`). */
export function errorUnder(
  errors: FieldErrors,
  field: string,
): string | undefined {
  const key = Object.keys(errors).find(
    k => k === field || k.startsWith(`${field}.`),
  );
  return key === undefined ? undefined : errors[key];
}

/** What submitChecked needs of a zod schema (the backend's own rules). */
export interface RequestRules {
  safeParse(
    value: unknown,
  ): { success: true } | { success: false; error: { issues: ZodIssue[] } };
}

/**
 * Builds a request body, checks it with the backend's rules, then sends it.
 * Whatever is wrong (the form, the rules, or the backend's answer) goes to
 * `setErrors` by field. Resolves to the answer, or to undefined when the
 * request did not go out or failed.
 */
export async function submitChecked<B, R>(options: {
  build(): B;
  rules: RequestRules;
  send(body: B): Promise<R>;
  setErrors(errors: FieldErrors): void;
}): Promise<R | undefined> {
  let body: B;
  try {
    body = options.build();
  } catch (e) {
    if (!(e instanceof FormError)) throw e;
    options.setErrors(e.errors);
    return undefined;
  }
  const parsed = options.rules.safeParse(body);
  if (!parsed.success) {
    options.setErrors(errorsFromIssues(parsed.error.issues));
    return undefined;
  }
  try {
    return await options.send(body);
  } catch (e) {
    options.setErrors(errorsFromResponse(e));
    return undefined;
  }
}
