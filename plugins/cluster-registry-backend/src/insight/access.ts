import type { AccessCheck } from '@cluster-registry/plugin-cluster-registry-common';

/** What the page asks the stored credentials, most telling first. */
export const ACCESS_CHECKS: Array<Omit<AccessCheck, 'allowed'>> = [
  {
    verb: '*',
    resource: '*',
    group: '*',
    description: 'everything (cluster-admin)',
  },
  {
    verb: 'list',
    resource: 'nodes',
    description: 'list nodes (the nodes table)',
  },
  {
    verb: 'list',
    resource: 'pods',
    description: 'list pods in all namespaces (the Kubernetes plugin)',
  },
  {
    verb: 'list',
    resource: 'events',
    description: 'list events (the events table)',
  },
  {
    verb: 'get',
    resource: 'secrets',
    description: 'read Secrets: more than a read-only portal needs',
  },
  {
    verb: 'create',
    resource: 'deployments',
    group: 'apps',
    description: 'create Deployments',
  },
  { verb: 'create', resource: 'pods/exec', description: 'exec into pods' },
  { verb: 'delete', resource: 'namespaces', description: 'delete namespaces' },
];

/** The SelfSubjectAccessReview of one check. */
export function accessReview(check: Omit<AccessCheck, 'allowed'>) {
  const [resource, subresource] = check.resource.split('/');
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: {
      resourceAttributes: {
        verb: check.verb,
        group: check.group ?? '',
        resource,
        ...(subresource && { subresource }),
      },
    },
  };
}
