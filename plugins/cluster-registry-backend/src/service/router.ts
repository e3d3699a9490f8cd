import { HttpAuthService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import {
  CLUSTER_STATES,
  categoryNameSchema,
  categoryChangesSchema,
  categorySchema,
  clusterPrometheusSchema,
  acceptSshHostKeySchema,
  removeServiceAccountSchema,
  createClusterSchema,
  importKubeconfigSchema,
  inspectKubeconfigSchema,
  rotateCredentialsSchema,
  updateClusterSchema,
  provisionClusterSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import express, { Request } from 'express';
import { z } from 'zod';
import { SupportedVersions } from '../kubernetes/versions';
import { createOpenApiRouter } from '../schema/openapi';
import { Caller, ClusterService } from './ClusterService';
import { toClusterView, toProvisioningView } from './views';
import { jsonBodies, translateBodyError } from './jsonBodies';
import { databaseUnavailable } from '../http/databaseUnavailable';
import { parse } from './parse';
import { fieldError, fieldsError } from './errors';
import { addInsightRoutes, InsightRouteOptions } from './insightRoutes';

export interface RouterOptions extends InsightRouteOptions {
  httpAuth: HttpAuthService;
  supportedVersions: SupportedVersions;
}

const listQuerySchema = z
  .object({
    category: z
      .union([categoryNameSchema, z.array(categoryNameSchema)])
      .optional(),
    state: z
      .union([z.enum(CLUSTER_STATES), z.array(z.enum(CLUSTER_STATES))])
      .optional(),
    q: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(1000).optional(),
  })
  .strict();

function asArray<T>(v: T | T[] | undefined): T[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

const deleteCategoryQuerySchema = z
  .object({
    reassignTo: categoryNameSchema.optional(),
    clear: z.enum(['true', 'false']).optional(),
  })
  .strict();

/**
 * The OpenAPI validator reports `request/body/auth/token must ...`; say
 * `auth.token: must ...`, like every other 400 of this API.
 */
export function translateValidationError(error: Error): Error {
  const fromBody = translateBodyError(error);
  if (fromBody !== error) return fromBody;
  if (!isError(error) || error.name !== 'InputError') return error;
  const unknownQuery = /Unknown query parameter '([^']{1,100})/.exec(
    error.message,
  );
  if (unknownQuery)
    return fieldError(unknownQuery[1], 'is not a query parameter');
  if (/unsupported media type/i.test(error.message))
    return fieldError(
      'body',
      'is required, as JSON (Content-Type: application/json)',
    );
  if (!/request\/(body|query|params)/.test(error.message)) return error;
  const issues = error.message
    .split(/,\s*(?=request\/)/)
    .map(part =>
      part.replace(
        /^.*?request\/(?:body|query|params)((?:\/[^\s/]+)*)\s+/s,
        (_m, path: string) =>
          `${path.split('/').filter(Boolean).join('.') || 'body'}: `,
      ),
    )
    .map(part =>
      part.replace(/must NOT have additional properties/g, 'unknown field'),
    )
    // A missing property is named itself: `auth: is required`.
    .map(part =>
      part.replace(
        /^([^:]*): must have required property '([^']{1,100})'$/,
        (_m, at: string, property: string) =>
          `${at === 'body' ? property : `${at}.${property}`}: is required`,
      ),
    );
  // A union reports every branch it tried ("must be equal to constant",
  // "must match a schema in anyOf"); keep what concerns the branch sent.
  const noise =
    /must be equal to constant|must have required property|: is required$|must match a schema in anyOf|must match exactly one schema in oneOf/;
  const specific = issues.filter(i => !noise.test(i));
  return fieldsError(
    (specific.length ? specific : issues).map(issue => {
      const at = issue.indexOf(': ');
      return at > 0
        ? { field: issue.slice(0, at), reason: issue.slice(at + 2) }
        : { field: 'body', reason: issue };
    }),
  );
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, service, supportedVersions } = options;
  // Every request is checked against the OpenAPI document first (the
  // library also serves it at /openapi.json), then parsed with the zod rules.
  const router = await createOpenApiRouter({
    // JSON is parsed by the outer router below, so that a too-large body
    // keeps its 413 instead of becoming a validation error.
    middleware: [(_req, _res, next) => next()],
  });

  /** Who calls: the service authorizes and audits with it. */
  const caller = async (req: Request): Promise<Caller> => ({
    credentials: await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }),
    request: req,
  });

  const view = (r: Parameters<typeof toClusterView>[0]) =>
    toClusterView(r, supportedVersions);

  // ── clusters ────────────────────────────────────────────────────────────
  router.get('/clusters', async (req, res) => {
    const query = parse(listQuerySchema, req.query);
    const page = await service.listClusters(
      {
        categories: asArray(query.category),
        states: asArray(query.state),
        q: query.q,
        limit: query.limit,
        cursor: query.cursor,
      },
      await caller(req),
    );
    res.json({
      items: page.items.map(view),
      nextCursor: page.nextCursor,
      totalCount: page.totalCount,
    });
  });

  router.post('/clusters', async (req, res) => {
    const input = parse(createClusterSchema, req.body);
    const record = await service.register(input, await caller(req));
    res.status(201).json(view(record));
  });

  router.get('/clusters/:name', async (req, res) => {
    res.json(
      view(await service.getCluster(req.params.name, await caller(req))),
    );
  });

  router.patch('/clusters/:name', async (req, res) => {
    const input = parse(updateClusterSchema, req.body);
    const record = await service.update(
      req.params.name,
      input,
      await caller(req),
    );
    res.json(view(record));
  });

  router.delete('/clusters/:name', async (req, res) => {
    await service.deleteCluster(req.params.name, await caller(req));
    res.status(204).end();
  });

  router.put('/clusters/:name/credentials', async (req, res) => {
    const input = parse(rotateCredentialsSchema, req.body);
    const record = await service.rotateCredentials(
      req.params.name,
      input,
      await caller(req),
    );
    res.json(view(record));
  });

  router.post('/clusters/:name/refresh', async (req, res) => {
    const refreshed = await service.refresh(req.params.name, await caller(req));
    res.json(view(refreshed));
  });

  router.post('/clusters/:name/ssh-host-key', async (req, res) => {
    const { fingerprint } = parse(acceptSshHostKeySchema, req.body);
    const accepted = await service.acceptSshHostKey(
      req.params.name,
      fingerprint,
      await caller(req),
    );
    res.json(view(accepted));
  });

  router.post('/clusters/:name/service-account/remove', async (req, res) => {
    const input = parse(removeServiceAccountSchema, req.body);
    res.json(
      await service.removeServiceAccount(
        req.params.name,
        input,
        await caller(req),
      ),
    );
  });

  // ── creating and deleting clusters at providers ─────────────────────────
  router.get('/provisioners', async (req, res) => {
    res.json({ items: await service.listProvisioners(await caller(req)) });
  });

  router.post('/provisioning', async (req, res) => {
    const input = parse(provisionClusterSchema, req.body);
    const { cluster, request, existing } = await service.provision(
      input,
      await caller(req),
    );
    res
      .status(existing ? 200 : 202)
      .json({ cluster: view(cluster), request: toProvisioningView(request) });
  });

  router.get('/clusters/:name/provisioning', async (req, res) => {
    res.json(
      toProvisioningView(
        await service.getProvisioning(req.params.name, await caller(req)),
      ),
    );
  });

  router.post('/clusters/:name/provisioning/retry', async (req, res) => {
    res
      .status(202)
      .json(
        toProvisioningView(
          await service.retryProvisioning(req.params.name, await caller(req)),
        ),
      );
  });

  router.post('/clusters/:name/deprovision', async (req, res) => {
    res
      .status(202)
      .json(
        toProvisioningView(
          await service.deprovision(req.params.name, await caller(req)),
        ),
      );
  });

  // ── for trusted backend plugins: credentials, server-side only ─────────
  router.get('/internal/connections', async (req, res) => {
    // A consumer plugin, or one on behalf of a user (then only their clusters).
    const credentials = await httpAuth.credentials(req, {
      allow: ['service', 'user'],
    });
    res.json({
      items: await service.listConnections({ credentials, request: req }),
    });
  });

  router.get('/internal/connections/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['service', 'user'],
    });
    res.json(
      await service.getConnection(req.params.name, {
        credentials,
        request: req,
      }),
    );
  });

  router.post('/verify', async (req, res) => {
    const input = parse(createClusterSchema, {
      ...req.body,
      name: req.body?.name ?? 'unsaved',
    });
    const { nodeCount, ...result } = await service.verifyUnsaved(
      input,
      await caller(req),
    );
    res.json({
      ...result,
      nodeCount,
      field: result.ok ? undefined : ClusterService.fieldOf(result),
    });
  });

  router.post('/clusters/:name/prometheus/test', async (req, res) => {
    res.json(
      await service.testPrometheus(
        { cluster: req.params.name },
        await caller(req),
      ),
    );
  });

  router.post('/prometheus/test', async (req, res) => {
    const prometheus = parse(clusterPrometheusSchema, req.body);
    res.json(
      await service.testPrometheus({ settings: prometheus }, await caller(req)),
    );
  });

  // ── insight and metrics: read-only ──────────────────────────────────────
  addInsightRoutes(router, caller, options);

  // ── kubeconfig ──────────────────────────────────────────────────────────
  router.post('/kubeconfig/inspect', async (req, res) => {
    const { kubeconfig } = parse(inspectKubeconfigSchema, req.body);
    res.json(await service.inspectKubeconfig(kubeconfig, await caller(req)));
  });

  router.post('/kubeconfig/import', async (req, res) => {
    const input = parse(importKubeconfigSchema, req.body);
    res.json({
      results: await service.importKubeconfig(input, await caller(req)),
    });
  });

  // ── categories ──────────────────────────────────────────────────────────
  router.get('/categories', async (req, res) => {
    res.json({ items: await service.listCategories(await caller(req)) });
  });

  router.post('/categories', async (req, res) => {
    const category = parse(categorySchema, req.body);
    await service.createCategory(category, await caller(req));
    res.status(201).json(category);
  });

  router.patch('/categories/:name', async (req, res) => {
    const changes = parse(categoryChangesSchema, req.body);
    const category = await service.updateCategory(
      req.params.name,
      changes,
      await caller(req),
    );
    res.json(category);
  });

  router.delete('/categories/:name', async (req, res) => {
    const query = parse(deleteCategoryQuerySchema, req.query);
    if (query.reassignTo && query.clear === 'true') {
      throw fieldError(
        'reassignTo',
        'give either reassignTo or clear=true, not both',
      );
    }
    const reassignTo = query.clear === 'true' ? null : query.reassignTo;
    await service.deleteCategory(
      req.params.name,
      { reassignTo },
      await caller(req),
    );
    res.status(204).end();
  });

  const outer = express.Router();
  outer.use(jsonBodies());
  outer.use(router);
  outer.use(
    (
      error: Error,
      _req: Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => next(databaseUnavailable(translateValidationError(error))),
  );
  return outer;
}
