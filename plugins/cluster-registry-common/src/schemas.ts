import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { parseSshHostKeyPin } from './sshHostKeys';
import type { Same } from './sameShape';
import type {
  AcceptSshHostKeyRequest,
  Category,
  CategoryChanges,
  CreateClusterRequest,
  ImportKubeconfigRequest,
  InspectKubeconfigRequest,
  PrometheusSettings,
  RemoveServiceAccountRequest,
  RotateCredentialsRequest,
  UpdateClusterRequest,
  VerifyClusterRequest,
} from './schema/openapi/generated';

/**
 * Input rules shared by the backend (which enforces them) and the frontend
 * (which shows them next to the field before a request is sent).
 *
 * The shapes of the requests are the OpenAPI document's (generated types);
 * these rules add what JSON Schema cannot say: PEM decoding, canonical URLs,
 * entity references, "required unless isolated". The end of this file checks
 * at compile time that each rule accepts exactly the document's shape.
 */

/** Names the frontend uses for its own pages under /clusters. @public */
export const RESERVED_CLUSTER_NAMES: readonly string[] = [
  'categories',
  'create',
  'register',
];

/** Cluster names: a DNS-1123 label, not one of the reserved page names. @public */
export const clusterNameSchema = z
  .string()
  .min(1, 'is required')
  .max(63, 'must be at most 63 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
  )
  .refine(
    name => !RESERVED_CLUSTER_NAMES.includes(name),
    name => ({ message: `'${name}' is reserved for a portal page` }),
  );

/** @public */
export const categoryNameSchema = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(63, 'must be at most 63 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be lowercase letters, digits and "-"',
  );

/** Reports a refinement failure on one field. */
function issue(ctx: z.RefinementCtx, field: string, message: string) {
  ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message });
}

/** Kubeconfig text; a 1 MB kubeconfig is fine. */
const kubeconfigTextSchema = z
  .string()
  .min(1, 'is required')
  .max(2_000_000, 'is larger than 2 MB');

const BEGIN_PEM = /-----BEGIN [A-Z0-9 ]+-----/;

/**
 * PEM data, given either as PEM text or base64-encoded PEM (the kubeconfig
 * `*-data` form). Normalised to base64-encoded PEM.
 * @public
 */
export const pemDataSchema = z
  .string()
  .max(256 * 1024, 'is too large')
  .transform((value, ctx) => {
    const trimmed = value.trim();
    // btoa/atob rather than Buffer: this runs in the browser too. PEM is ASCII.
    if (BEGIN_PEM.test(trimmed)) return btoa(`${trimmed}\n`);
    const compact = trimmed.replace(/\s/g, '');
    if (/^[A-Za-z0-9+/=]+$/.test(compact)) {
      try {
        if (BEGIN_PEM.test(atob(compact))) return compact;
      } catch {
        // not base64
      }
    }
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'must be PEM data or base64-encoded PEM',
    });
    return z.NEVER;
  });

/** Whitespace, control and invisible formatting characters, anywhere. */
const UNSAFE_URL_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\s\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\\]/;

/**
 * An absolute http(s) URL, stored in its canonical form (lower-case host,
 * IPv4 in dotted decimal whatever notation it came in, no default port, no
 * lone trailing slash). Nothing is trimmed silently: whitespace, control
 * characters and backslashes are refused, as are credentials, queries and
 * fragments. Which destinations may be contacted is the backend's address
 * policy, applied to what this returns.
 */
const httpUrl = (protocols: string[], what: string) =>
  z
    .string()
    .max(2048, 'must be at most 2048 characters')
    .transform((value, ctx) => {
      const fail = (message: string) => {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message });
        return z.NEVER;
      };
      if (UNSAFE_URL_CHARS.test(value))
        return fail(
          'must not contain spaces, control characters or backslashes',
        );
      if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(value))
        return fail('must be an absolute URL');
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return fail('must be an absolute URL');
      }
      if (!protocols.includes(url.protocol)) return fail(`must be ${what}`);
      if (url.username || url.password || /@/.test(value.split('/')[2] ?? ''))
        return fail(
          'must not contain credentials; give them in the auth section',
        );
      if (url.search || url.hash || /[?#]/.test(value))
        return fail('must not have a query or fragment');
      if (!url.hostname) return fail('must name a host');
      const path = url.pathname === '/' ? '' : url.pathname;
      const canonical = `${url.protocol}//${url.host}${path}`;
      // Percent-encoding can make the canonical form longer than the input.
      if (canonical.length > 2048)
        return fail('must be at most 2048 characters once encoded');
      return canonical;
    });

/** @public */
export const serverUrlSchema = httpUrl(['https:'], 'an https:// URL');

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Why a label key is not a Kubernetes label key: an optional DNS-subdomain
 * prefix (at most 253 characters, each DNS label at most 63) and a `/`, then
 * a name of at most 63 characters. Lengths are checked before any pattern.
 * @public
 */
export function labelKeyProblem(key: string): string | undefined {
  if (key.length > 253 + 1 + 63) return 'is too long for a label key';
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const labelName = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (!prefix) return 'has an empty prefix before "/"';
    if (prefix.length > 253) return 'has a prefix longer than 253 characters';
    for (const part of prefix.split('.')) {
      if (part.length > 63)
        return 'has a DNS label longer than 63 characters in its prefix';
      if (!DNS_LABEL.test(part))
        return 'has a prefix that is not a DNS subdomain (lowercase letters, digits, "-" and ".")';
    }
  }
  if (!labelName) return 'has an empty name';
  if (labelName.length > 63) return 'has a name longer than 63 characters';
  if (!LABEL_NAME.test(labelName))
    return 'must be a Kubernetes label key: letters, digits, "-", "_" and ".", starting and ending with a letter or digit, with an optional DNS prefix and "/"';
  return undefined;
}

/** Kubernetes-style labels. @public */
export const labelsSchema = z
  .record(
    z.string(),
    z
      .string()
      .max(63, 'label values must be at most 63 characters')
      .refine(
        v => v === '' || (v.length <= 63 && LABEL_NAME.test(v)),
        'label values must be Kubernetes label values',
      ),
  )
  .superRefine((labels, ctx) => {
    const keys = Object.keys(labels);
    if (keys.length > 64) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'at most 64 labels',
      });
      return;
    }
    for (const key of keys) {
      const problem = labelKeyProblem(key);
      if (problem)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key.length > 100 ? `${key.slice(0, 100)}…` : key],
          message: `label key ${problem}`,
        });
    }
  });

/**
 * A user or group entity reference in the form the catalog gives a user's
 * ownership claims (`group:default/qa`, lower case), so that a policy's
 * is-owner rule can compare them. @public
 */
export function ownerRef(value: string): string {
  return stringifyEntityRef(parseEntityRef(value)).toLocaleLowerCase('en-US');
}

/**
 * A catalog user or group reference, e.g. group:default/platform; stored in
 * full (`ownerRef`): `group:qa` becomes `group:default/qa`. @public
 */
export const ownerSchema = z
  .string()
  .max(255, 'must be at most 255 characters')
  .superRefine((value, ctx) => {
    try {
      const ref = parseEntityRef(value);
      if (!['user', 'group'].includes(ref.kind.toLocaleLowerCase('en-US'))) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'must be a user or group entity reference',
        });
      }
    } catch {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'must be an entity reference such as group:default/platform',
      });
    }
  })
  .transform(value => {
    try {
      return ownerRef(value);
    } catch {
      return value; // refused above; zod reports that issue
    }
  });

const secret = (max = 64 * 1024) =>
  z.string().min(1, 'is required').max(max, 'is too large');

/**
 * A secret sent in an HTTP header (a bearer token): printable ASCII, no
 * spaces or line breaks, which is what a header can carry unchanged.
 */
const headerSecret = (max: number) =>
  secret(max).regex(
    /^[\x21-\x7e]+$/,
    'must be printable ASCII without spaces or line breaks (it is sent in an HTTP header)',
  );

/** A DNS name or an IP literal (IPv6 optionally in brackets); lengths first. */
function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  if (/^\[?[0-9A-Fa-f:.]+\]?$/.test(host) && host.includes(':')) return true;
  const labels = host.replace(/\.$/, '').split('.');
  return labels.every(
    l => l.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/.test(l),
  );
}

/** Names and user names: no control characters. */
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** @public */
export const clusterAuthSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('bearerToken'),
      token: headerSecret(16 * 1024),
    })
    .strict(),
  z
    .object({
      type: z.literal('clientCertificate'),
      certData: pemDataSchema,
      keyData: pemDataSchema,
    })
    .strict(),
  z
    .object({
      type: z.literal('aws'),
      clusterId: z
        .string()
        .min(1, 'is required')
        .max(100, 'must be at most 100 characters')
        .regex(
          /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
          'must be an EKS cluster name: letters, digits, "-" and "_"',
        ),
      assumeRole: z
        .string()
        .max(2048, 'is too long')
        .regex(
          /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
          'must be an IAM role ARN',
        )
        .optional(),
      externalId: z
        .string()
        .min(2)
        .max(1224)
        .regex(/^[\w+=,.@:/-]+$/, 'must use only letters, digits and +=,.@:/-')
        .optional(),
    })
    .strict(),
]);

/** @public */
export const clusterTlsSchema = z
  .object({
    caData: pemDataSchema.optional(),
    insecureSkipTlsVerify: z.boolean().default(false),
  })
  .strict();

/** A user name for HTTP Basic auth (proxy, Prometheus): no ":" or control characters. */
const basicUsernameSchema = z
  .string()
  .min(1, 'is required')
  .max(256, 'must be at most 256 characters')
  .regex(
    // eslint-disable-next-line no-control-regex
    /^[^:\u0000-\u001f\u007f]+$/,
    'must not contain ":" or control characters',
  );

/** @public */
export const clusterConnectionSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('direct') }).strict(),
  z
    .object({
      method: z.literal('proxy'),
      proxyUrl: httpUrl(['http:', 'https:'], 'an http:// or https:// URL'),
      /** Proxy credentials (Basic), sent only to the proxy; the password is a secret. */
      username: basicUsernameSchema.optional(),
      password: secret(1024)
        .regex(
          // eslint-disable-next-line no-control-regex
          /^[^\u0000-\u001f\u007f]+$/,
          'must not contain control characters',
        )
        .optional(),
    })
    .strict(),
  z
    .object({
      method: z.literal('sshTunnel'),
      sshTunnel: z
        .object({
          host: z
            .string()
            .min(1, 'is required')
            .max(253, 'must be at most 253 characters')
            .refine(isHostName, 'must be a host name or an IP address')
            .transform(h => h.replace(/^\[|\]$/g, '').toLowerCase()),
          port: z.number().int().min(1).max(65535).default(22),
          username: z
            .string()
            .min(1, 'is required')
            .max(64, 'must be at most 64 characters')
            .regex(
              // eslint-disable-next-line no-control-regex
              /^[^\s:@\u0000-\u001f\u007f]+$/,
              'must not contain spaces, ":", "@" or control characters',
            ),
          password: secret(1024).optional(),
          privateKey: secret().optional(),
          /** Decrypts an encrypted privateKey. */
          passphrase: secret(1024).optional(),
          /**
           * The bastion's host keys to trust: SHA256: fingerprints,
           * public-key lines or known_hosts lines. Left out, the first
           * successful verification pins the key the bastion presents.
           */
          hostKeys: z
            .array(
              z
                .string()
                .max(16 * 1024, 'is too long')
                .superRefine((line, ctx) => {
                  const pin = parseSshHostKeyPin(line);
                  if ('error' in pin)
                    ctx.addIssue({
                      code: z.ZodIssueCode.custom,
                      message: pin.error,
                    });
                }),
            )
            .max(32, 'at most 32 host keys')
            .optional(),
        })
        .strict(),
    })
    .strict(),
]);

/** Label names as Prometheus allows them. @public */
export const prometheusLabelNameSchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(
    /^[a-zA-Z_][a-zA-Z0-9_]*$/,
    'must be a Prometheus label name: letters, digits and "_", not starting with a digit',
  );

/** The label that tells one cluster's series apart in a shared Prometheus. @public */
export const prometheusClusterLabelSchema = z
  .object({
    name: prometheusLabelNameSchema,
    value: z
      .string()
      .min(1, 'is required')
      .max(200, 'must be at most 200 characters')
      // Every character but the control characters; quoted when put into PromQL.
      .regex(
        // eslint-disable-next-line no-control-regex
        /^[^\u0000-\u001f\u007f]+$/,
        'must not contain control characters',
      ),
  })
  .strict();

/**
 * Prometheus settings. When editing, the password and client key may be left
 * out to keep the stored ones (secrets are write-only).
 */
function prometheusSchema<P extends z.ZodTypeAny>(password: P) {
  return z
    .object({
      url: httpUrl(['http:', 'https:'], 'an http:// or https:// URL'),
      auth: z
        .discriminatedUnion('type', [
          z.object({ type: z.literal('anonymous') }).strict(),
          z
            .object({
              type: z.literal('basic'),
              username: basicUsernameSchema,
              password,
            })
            .strict(),
        ])
        .default({ type: 'anonymous' }),
      tls: z
        .object({
          caData: pemDataSchema.optional(),
          insecureSkipTlsVerify: z.boolean().default(false),
          clientCertData: pemDataSchema.optional(),
          clientKeyData: pemDataSchema.optional(),
        })
        .strict()
        .optional(),
      /** Through the cluster's proxy or SSH bastion instead of directly. */
      throughClusterConnection: z.boolean().default(false),
      /** The label of this cluster's series in a Prometheus shared by several. */
      clusterLabel: prometheusClusterLabelSchema.optional(),
    })
    .strict();
}

/** @public */
export const clusterPrometheusSchema = prometheusSchema(secret(1024));

/** Prometheus settings of `PATCH /clusters/:name`: omitted secrets are kept. @public */
export const clusterPrometheusUpdateSchema = prometheusSchema(
  secret(1024).optional(),
);

/** A cluster's display title: one line, no control characters. @public */
export const titleSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(NO_CONTROL, 'must not contain control characters');

/**
 * `serviceAccount` of a registration: the credential given is an admin's,
 * used once to create a ServiceAccount whose token alone is stored. @public
 */
export const serviceAccountRequestSchema = z
  .object({
    clusterRole: z
      .string()
      .max(253, 'must be at most 253 characters')
      .regex(
        /^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$/,
        'must be a ClusterRole name such as view',
      )
      .optional(),
    namespace: clusterNameSchema.optional(),
    tokenLifetimeSeconds: z
      .number()
      .int('must be whole seconds')
      .min(600, 'must be at least 600 seconds (the API server’s minimum)')
      .max(31_536_000, 'must be at most a year')
      .optional(),
    tokenType: z.enum(['requested', 'secret']).optional(),
  })
  .strict();

/** Body of POST /clusters. @public */
export const createClusterSchema = z
  .object({
    name: clusterNameSchema,
    title: titleSchema.optional(),
    description: z.string().max(4000).optional(),
    category: categoryNameSchema.optional(),
    labels: labelsSchema.default({}),
    owner: ownerSchema.optional(),
    isolated: z.boolean().default(false),
    serverUrl: serverUrlSchema.optional(),
    auth: clusterAuthSchema.optional(),
    tls: clusterTlsSchema.optional(),
    connection: clusterConnectionSchema.optional(),
    prometheus: clusterPrometheusSchema.optional(),
    serviceAccount: serviceAccountRequestSchema.optional(),
    skipVerification: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.isolated) {
      for (const field of [
        'serverUrl',
        'auth',
        'tls',
        'connection',
        'prometheus',
        'serviceAccount',
      ] as const) {
        if (c[field] !== undefined) {
          issue(ctx, field, 'must not be set for an isolated cluster');
        }
      }
      return;
    }
    if (!c.serverUrl) issue(ctx, 'serverUrl', 'is required');
    if (!c.auth) issue(ctx, 'auth', 'is required');
    if (c.serviceAccount && c.auth?.type === 'aws')
      issue(
        ctx,
        'serviceAccount',
        'needs a token or client certificate of an admin; an AWS IAM cluster is reached with its IAM identity',
      );
  });

/** Body of `PATCH /clusters/:name`: editable fields; null clears. @public */
export const updateClusterSchema = z
  .object({
    name: z.string().optional(),
    title: titleSchema.optional(),
    description: z.string().max(4000).nullable().optional(),
    category: categoryNameSchema.nullable().optional(),
    labels: labelsSchema.optional(),
    owner: ownerSchema.nullable().optional(),
    tls: clusterTlsSchema.optional(),
    connection: clusterConnectionSchema.optional(),
    prometheus: clusterPrometheusUpdateSchema.nullable().optional(),
    skipVerification: z.boolean().default(false),
  })
  .strict();

/** Body of `PUT /clusters/:name/credentials`: replaces the credentials, verified like a registration. @public */
export const rotateCredentialsSchema = z
  .object({
    serverUrl: serverUrlSchema.optional(),
    auth: clusterAuthSchema.optional(),
    tls: clusterTlsSchema.optional(),
    /** Or a whole new kubeconfig: server, CA and credentials come from `context`. */
    kubeconfig: kubeconfigTextSchema.optional(),
    context: z.string().min(1).max(1024, 'is too long').optional(),
    skipVerification: z.boolean().default(false),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kubeconfig !== undefined) {
      for (const field of ['auth', 'serverUrl', 'tls'] as const) {
        if (r[field] !== undefined) {
          issue(ctx, field, 'comes from the kubeconfig; do not give both');
        }
      }
      if (!r.context) issue(ctx, 'context', 'is required with a kubeconfig');
    } else if (!r.auth) {
      issue(ctx, 'auth', 'is required (or give a kubeconfig and context)');
    }
  });

/** @public */
export const categorySchema = z
  .object({
    name: categoryNameSchema,
    description: z.string().max(1000).optional(),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1e88e5')
      .optional(),
  })
  .strict();

/** Parsed (defaults applied, PEM normalised) forms of the request bodies. @public */
export type ParsedCreateCluster = z.output<typeof createClusterSchema>;
/** @public */
export type ParsedUpdateCluster = z.output<typeof updateClusterSchema>;
/** @public */
export type ParsedRotateCredentials = z.output<typeof rotateCredentialsSchema>;
/** @public */
export type ParsedClusterAuth = z.output<typeof clusterAuthSchema>;
/** @public */
export type ParsedImportKubeconfig = z.output<typeof importKubeconfigSchema>;
/** A registration's `serviceAccount`, as parsed. @public */
export type ParsedServiceAccountRequest = z.output<
  typeof serviceAccountRequestSchema
>;
/** @public */
export type ParsedClusterConnection = z.output<typeof clusterConnectionSchema>;
/** @public */
export type ParsedClusterPrometheus = z.output<typeof clusterPrometheusSchema>;
/** @public */
export type ParsedClusterPrometheusUpdate = z.output<
  typeof clusterPrometheusUpdateSchema
>;

/** Body of POST /kubeconfig/inspect. @public */
export const inspectKubeconfigSchema = z
  .object({
    kubeconfig: kubeconfigTextSchema,
  })
  .strict();

/** Body of POST /kubeconfig/import: the contexts to register, each with optional overrides. @public */
export const importKubeconfigSchema = z
  .object({
    kubeconfig: kubeconfigTextSchema,
    contexts: z
      .array(
        z
          .object({
            context: z.string().min(1, 'is required').max(1024, 'is too long'),
            name: clusterNameSchema.optional(),
            title: titleSchema.optional(),
            description: z.string().max(4000).optional(),
            category: categoryNameSchema.optional(),
            labels: labelsSchema.optional(),
            owner: ownerSchema.optional(),
          })
          .strict(),
      )
      .min(1, 'pick at least one context')
      .max(100, 'at most 100 contexts at once'),
    category: categoryNameSchema.optional(),
    owner: ownerSchema.optional(),
    serviceAccount: serviceAccountRequestSchema.optional(),
    skipVerification: z.boolean().default(false),
  })
  .strict();

/** Body of `POST /clusters/:name/service-account/remove`. @public */
export const removeServiceAccountSchema = z
  .object({ auth: clusterAuthSchema })
  .strict()
  .superRefine((r, ctx) => {
    if (r.auth.type === 'aws')
      issue(ctx, 'auth', 'must be an admin token or client certificate');
  });

/** Body of `POST /clusters/:name/ssh-host-key`. @public */
export const acceptSshHostKeySchema = z
  .object({
    fingerprint: z
      .string()
      .max(64, 'is too long')
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256: fingerprint'),
  })
  .strict();

/** Body of `PATCH /categories/:name`. @public */
export const categoryChangesSchema = categorySchema.omit({ name: true });

// ── The rules accept exactly the shapes of the OpenAPI document ───────────
// (compile-time: a field added to one and not the other fails `yarn tsc`).
const contract: {
  create: Same<z.input<typeof createClusterSchema>, CreateClusterRequest>;
  verify: Same<
    Omit<z.input<typeof createClusterSchema>, 'name'>,
    Omit<VerifyClusterRequest, 'name'>
  >;
  update: Same<z.input<typeof updateClusterSchema>, UpdateClusterRequest>;
  rotate: Same<
    z.input<typeof rotateCredentialsSchema>,
    RotateCredentialsRequest
  >;
  prometheus: Same<z.input<typeof clusterPrometheusSchema>, PrometheusSettings>;
  inspect: Same<
    z.input<typeof inspectKubeconfigSchema>,
    InspectKubeconfigRequest
  >;
  import: Same<z.input<typeof importKubeconfigSchema>, ImportKubeconfigRequest>;
  category: Same<z.input<typeof categorySchema>, Category>;
  acceptSshHostKey: Same<
    z.input<typeof acceptSshHostKeySchema>,
    AcceptSshHostKeyRequest
  >;
  categoryChanges: Same<z.input<typeof categoryChangesSchema>, CategoryChanges>;
  removeServiceAccount: Same<
    z.input<typeof removeServiceAccountSchema>,
    RemoveServiceAccountRequest
  >;
} = {
  removeServiceAccount: true,
  create: true,
  verify: true,
  update: true,
  rotate: true,
  prometheus: true,
  inspect: true,
  import: true,
  category: true,
  acceptSshHostKey: true,
  categoryChanges: true,
};
void contract;
