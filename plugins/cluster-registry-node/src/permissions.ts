import {
  CLUSTER_REGISTRY_PLUGIN_ID,
  CLUSTER_RESOURCE_TYPE,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
  CreatePermissionRuleOptions,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import type { PermissionRuleParams } from '@backstage/plugin-permission-common';
import { z } from 'zod/v3';

/**
 * What a permission rule sees of a cluster: never its secrets or endpoint.
 * @public
 */
export interface ClusterPermissionResource {
  /** The cluster's name, its resourceRef. */
  name: string;
  /** Its category, if it has one. */
  category?: string;
  /** A full, lower-case entity reference (`group:default/qa`), if set. */
  owner?: string;
  /** Its Kubernetes-style labels. */
  labels: Record<string, string>;
}

/**
 * A rule as a database filter: the registry turns a policy's conditions
 * into one where clause of its list queries, so that pages and totals
 * count only what the caller may see.
 * @public
 */
export type ClusterPermissionQuery =
  | { field: 'category'; values: string[] }
  | { field: 'owner'; values: string[] }
  | { field: 'label'; label: string; value?: string };

/** The cluster resource type, for rules and for `permissionsRegistry.addResourceType`. @public */
export const clusterPermissionResourceRef = createPermissionResourceRef<
  ClusterPermissionResource,
  ClusterPermissionQuery
>().with({
  pluginId: CLUSTER_REGISTRY_PLUGIN_ID,
  resourceType: CLUSTER_RESOURCE_TYPE,
});

type ParamsSchema<T extends PermissionRuleParams> = NonNullable<
  CreatePermissionRuleOptions<
    typeof clusterPermissionResourceRef,
    T
  >['paramsSchema']
>;

/**
 * A rule's parameters as a zod 3 schema, the zod the rest of the registry
 * uses. permission-node validates such a schema and converts it to JSON
 * Schema at run time (`isZodSchema` in its permissionRuleParams); its types
 * describe only the Standard Schema form, and naming its own zod copy's
 * types from ours sends the compiler into infinite instantiation.
 */
function paramsOf<T extends PermissionRuleParams>(
  schema: z.ZodType<T>,
): ParamsSchema<T> {
  return schema as unknown as ParamsSchema<T>;
}

const lower = (values: string[]) =>
  values.map(v => v.toLocaleLowerCase('en-US'));

/** The cluster is in one of the given categories. */
const isInCategory = createPermissionRule({
  name: 'IS_IN_CATEGORY',
  description: 'Allow clusters in one of the given categories',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: paramsOf(
    z.object({
      categories: z
        .array(z.string())
        .describe('Category names, e.g. qa or prod'),
    }),
  ),
  apply: (cluster, { categories }) =>
    cluster.category !== undefined && categories.includes(cluster.category),
  toQuery: ({ categories }) => ({ field: 'category', values: categories }),
});

/**
 * The cluster's owner is one of the given user or group references, usually
 * the caller's ownership claims (`user.info.ownershipEntityRefs`).
 */
const isClusterOwner = createPermissionRule({
  name: 'IS_CLUSTER_OWNER',
  description: 'Allow clusters owned by one of the given users or groups',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: paramsOf(
    z.object({
      claims: z
        .array(z.string())
        .describe(
          'Entity references of users and groups, e.g. the caller’s ownership claims',
        ),
    }),
  ),
  apply: (cluster, { claims }) =>
    cluster.owner !== undefined && lower(claims).includes(cluster.owner),
  toQuery: ({ claims }) => ({ field: 'owner', values: lower(claims) }),
});

/** The cluster has the label, with the given value if one is given. */
const hasLabel = createPermissionRule({
  name: 'HAS_LABEL',
  description: 'Allow clusters with the given label (and value, if given)',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: paramsOf(
    z.object({
      label: z.string().describe('Label key, e.g. team'),
      value: z.string().optional().describe('Label value; any if not given'),
    }),
  ),
  apply: (cluster, { label, value }) =>
    Object.prototype.hasOwnProperty.call(cluster.labels, label) &&
    (value === undefined || cluster.labels[label] === value),
  toQuery: ({ label, value }) => ({ field: 'label', label, value }),
});

/** Every rule of the cluster resource type. @public */
export const clusterPermissionRules = {
  isInCategory,
  isClusterOwner,
  hasLabel,
};

/**
 * The registry's own rules as a ruleset: for code that applies a policy's
 * conditions without the registry's permissions registry (the Kubernetes
 * module's supplier, tests). The registry plugin itself uses the registry's,
 * which may hold rules other modules added.
 * @public
 */
export const clusterPermissionRuleset: PermissionRuleset<
  ClusterPermissionResource,
  ClusterPermissionQuery,
  typeof CLUSTER_RESOURCE_TYPE
> = {
  getRuleByName(name) {
    const rule = Object.values(clusterPermissionRules).find(
      r => r.name === name,
    );
    if (!rule) throw new Error(`no cluster permission rule named ${name}`);
    return rule as any;
  },
};

const exported = createConditionExports({
  pluginId: CLUSTER_REGISTRY_PLUGIN_ID,
  resourceType: CLUSTER_RESOURCE_TYPE,
  rules: clusterPermissionRules,
});

/**
 * Conditions for a policy, e.g.
 * `clusterConditions.isInCategory({ categories: ['qa'] })`. @public
 */
export const clusterConditions = exported.conditions;

/**
 * A conditional decision on a cluster permission, e.g. "read clusters in qa
 * or owned by the caller". @public
 */
export const createClusterConditionalDecision =
  exported.createConditionalDecision;
