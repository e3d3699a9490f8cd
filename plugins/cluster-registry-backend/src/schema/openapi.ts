import {
  categorySchema,
  clusterPrometheusSchema,
  createClusterSchema,
  importKubeconfigSchema,
  inspectKubeconfigSchema,
  rotateCredentialsSchema,
  updateClusterSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

/**
 * The OpenAPI 3.1 document of /api/cluster-registry, served at
 * /api/cluster-registry/openapi.json and enforced on every request.
 *
 * Request body schemas are derived from the zod rules in -common (one source
 * of truth): the document carries their structure (types, patterns, required
 * and unknown fields); refinements that JSON Schema cannot express (PEM
 * decoding, "required unless isolated") are enforced by zod after it.
 */
const body = (schema: z.ZodTypeAny) => {
  const { $schema, ...json } = zodToJsonSchema(schema, {
    target: 'jsonSchema7',
    $refStrategy: 'none',
    effectStrategy: 'input',
  }) as any;
  return allowAdditional(json);
};

/**
 * Unknown fields are refused by zod (`.strict()`), whose message names them
 * ("body: unknown field(s) colour"); the validator's would not. So the
 * document does not forbid additional properties itself.
 */
function allowAdditional(node: any): any {
  if (Array.isArray(node)) return node.map(allowAdditional);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = allowAdditional(value);
  }
  return out;
}

const error = { $ref: '#/components/responses/Error' };
const name = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: 63 },
};
const json = (schema: object) => ({
  content: { 'application/json': { schema } },
});
const ok = (description: string, schema: object = { type: 'object' }) => ({
  description,
  ...json(schema),
});
const requestBody = (ref: string) => ({
  required: true,
  ...json({ $ref: `#/components/schemas/${ref}` }),
});
const errors = {
  '400': error,
  '401': error,
  '403': error,
  '404': error,
  '409': error,
};
const op = (summary: string, responses: object, extra: object = {}) => ({
  summary,
  responses: { ...responses, ...errors },
  ...extra,
});

export const openApiSpec = {
  openapi: '3.1.0',
  info: {
    title: 'cluster-registry',
    version: '1',
    description:
      'Register, organise and watch Kubernetes clusters. Secrets are write-only: responses say only whether one is set.',
  },
  servers: [{ url: '/' }],
  components: {
    schemas: {
      CreateCluster: body(createClusterSchema),
      UpdateCluster: body(updateClusterSchema),
      RotateCredentials: body(rotateCredentialsSchema),
      Category: body(categorySchema),
      CategoryChanges: body(categorySchema.omit({ name: true })),
      Prometheus: body(clusterPrometheusSchema),
      InspectKubeconfig: body(inspectKubeconfigSchema),
      ImportKubeconfig: body(importKubeconfigSchema),
    },
    responses: {
      Error: ok(
        'Backstage error body: { error: { name, message }, request, response }',
      ),
    },
  },
  paths: {
    '/clusters': {
      get: op(
        'List clusters, filtered and paged',
        { '200': ok('{ items, nextCursor, totalCount }') },
        {
          parameters: [
            {
              name: 'category',
              in: 'query',
              schema: { type: 'array', items: { type: 'string' } },
              style: 'form',
              explode: true,
            },
            {
              name: 'state',
              in: 'query',
              schema: { type: 'array', items: { type: 'string' } },
              style: 'form',
              explode: true,
            },
            {
              name: 'q',
              in: 'query',
              schema: { type: 'string', maxLength: 200 },
            },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'string', pattern: '^[0-9]+$' },
            },
            {
              name: 'cursor',
              in: 'query',
              schema: { type: 'string', maxLength: 1000 },
            },
          ],
        },
      ),
      post: op(
        'Register a cluster (verified unless skipVerification)',
        { '201': ok('the cluster') },
        { requestBody: requestBody('CreateCluster') },
      ),
    },
    '/clusters/{name}': {
      parameters: [name],
      get: op('Get one cluster', { '200': ok('the cluster') }),
      patch: op(
        'Edit a cluster (the name is immutable)',
        { '200': ok('the cluster') },
        { requestBody: requestBody('UpdateCluster') },
      ),
      delete: op(
        'Disconnect a cluster: remove the record; the cluster itself is untouched',
        { '204': { description: 'removed' } },
      ),
    },
    '/clusters/{name}/credentials': {
      parameters: [name],
      put: op(
        'Rotate credentials, verified like a registration',
        { '200': ok('the cluster') },
        { requestBody: requestBody('RotateCredentials') },
      ),
    },
    '/clusters/{name}/refresh': {
      parameters: [name],
      post: op('Health-check the cluster now', { '200': ok('the cluster') }),
    },
    '/clusters/{name}/prometheus/test': {
      parameters: [name],
      post: op("Run a real query against the cluster's Prometheus", {
        '200': ok('{ ok, seriesCount, version, message }'),
      }),
    },
    '/verify': {
      post: op(
        'Verify a registration without saving it',
        {
          '200': ok(
            '{ ok, kubernetesVersion, versionSupported, permissionLevel, nodeCount, reason, message, field }',
          ),
        },
        {
          requestBody: { required: true, ...json({ type: 'object' }) },
        },
      ),
    },
    '/prometheus/test': {
      post: op(
        'Run a real query against unsaved Prometheus settings',
        { '200': ok('{ ok, seriesCount, version, message }') },
        {
          requestBody: requestBody('Prometheus'),
        },
      ),
    },
    '/kubeconfig/inspect': {
      post: op(
        'List the contexts of a kubeconfig and whether each can be registered',
        { '200': ok('{ currentContext, contexts }') },
        {
          requestBody: requestBody('InspectKubeconfig'),
        },
      ),
    },
    '/kubeconfig/import': {
      post: op(
        'Register the picked contexts of a kubeconfig; one result per context',
        { '200': ok('{ results }') },
        {
          requestBody: requestBody('ImportKubeconfig'),
        },
      ),
    },
    '/internal/connections': {
      get: op(
        'Connection details with credentials of every non-isolated cluster; only for the backend plugins in clusterRegistry.credentialConsumers (service-to-service auth)',
        { '200': ok('{ items }') },
      ),
    },
    '/categories': {
      get: op('List categories', { '200': ok('{ items }') }),
      post: op(
        'Create a category',
        { '201': ok('the category') },
        { requestBody: requestBody('Category') },
      ),
    },
    '/categories/{name}': {
      parameters: [name],
      patch: op(
        'Edit a category',
        { '200': ok('the category') },
        { requestBody: requestBody('CategoryChanges') },
      ),
      delete: op(
        'Delete a category; 409 while clusters use it unless reassignTo or clear=true is given',
        { '204': { description: 'deleted' } },
        {
          parameters: [
            { name: 'reassignTo', in: 'query', schema: { type: 'string' } },
            {
              name: 'clear',
              in: 'query',
              schema: { type: 'string', enum: ['true', 'false'] },
            },
          ],
        },
      ),
    },
  },
} as const;
