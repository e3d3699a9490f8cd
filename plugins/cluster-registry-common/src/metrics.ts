import { parseEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import type {
  EntityMetricsRequest,
  MetricsQueryRequest,
  RawMetricsQueryRequest,
} from './schema/openapi/generated';
import { categoryNameSchema, clusterNameSchema } from './schemas';
import type { Same } from './sameShape';

/**
 * Input rules of the insight and metrics routes: what the OpenAPI document
 * cannot say (Kubernetes names, dates, ranges), shared by the backend, which
 * enforces them, and the frontend.
 */

/** A namespace or object name: a DNS-1123 subdomain. @public */
export const kubernetesNameSchema = z
  .string()
  .min(1, 'is required')
  .max(253, 'must be at most 253 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a Kubernetes name: lowercase letters, digits, "-" and "."',
  );

/** The ranges offered by name, in seconds. @public */
export const METRICS_RANGES = {
  '15m': 15 * 60,
  '1h': 3600,
  '6h': 6 * 3600,
  '24h': 24 * 3600,
  '7d': 7 * 24 * 3600,
} as const;

/** @public */
export type MetricsRangeName = keyof typeof METRICS_RANGES;

const instantSchema = z
  .string()
  .max(40)
  .refine(v => !Number.isNaN(Date.parse(v)), 'must be an RFC 3339 time');

/** A range ending now (`last`), or explicit `start` and `end`. @public */
export const metricsRangeSchema = z
  .object({
    last: z.enum(Object.keys(METRICS_RANGES) as [MetricsRangeName]).optional(),
    start: instantSchema.optional(),
    end: instantSchema.optional(),
  })
  .strict()
  .superRefine((range, ctx) => {
    const explicit = range.start !== undefined || range.end !== undefined;
    if (range.last && explicit) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['last'],
        message: 'give either last or start and end, not both',
      });
    } else if (explicit && (!range.start || !range.end)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [range.start ? 'end' : 'start'],
        message: 'start and end go together',
      });
    } else if (
      range.start &&
      range.end &&
      Date.parse(range.start) >= Date.parse(range.end)
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['end'],
        message: 'must be after start',
      });
    }
  })
  .default({ last: '1h' });

/** Ids of named queries (`nodes.ready`, `app.requestRate`). @public */
export const namedQueryIdSchema = z
  .string()
  .max(64)
  .regex(
    /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/,
    'must be the id of a named query (GET /metrics/queries)',
  );

/** Body of `POST /clusters/:name/metrics/query`. @public */
export const metricsQuerySchema = z
  .object({
    queries: z
      .array(namedQueryIdSchema)
      .min(1, 'name at least one query')
      .max(16, 'at most 16 queries at once'),
    range: metricsRangeSchema,
    params: z
      .object({
        namespace: kubernetesNameSchema.optional(),
        workload: kubernetesNameSchema.optional(),
        kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** @public */
export type ParsedMetricsQuery = z.output<typeof metricsQuerySchema>;

/** Body of `POST /clusters/:name/metrics/raw`. @public */
export const rawMetricsQuerySchema = z
  .object({
    query: z
      .string()
      .min(1, 'is required')
      .max(2000, 'must be at most 2000 characters'),
    range: metricsRangeSchema,
  })
  .strict();

/** Body of `POST /entity-metrics/query`. @public */
export const entityMetricsQuerySchema = z
  .object({
    entityRef: z
      .string()
      .max(300)
      .refine(ref => {
        try {
          parseEntityRef(ref);
          return true;
        } catch {
          return false;
        }
      }, 'must be an entity reference such as component:default/shop'),
    range: metricsRangeSchema,
    categories: z.array(categoryNameSchema).max(20).optional(),
  })
  .strict();

/** Query of `GET /clusters/:name/events`. @public */
export const clusterEventsQuerySchema = z
  .object({
    type: z.enum(['Warning', 'all']).default('Warning'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** Query of `GET /health-trends`. @public */
export const healthTrendsQuerySchema = z
  .object({
    cluster: z
      .union([clusterNameSchema, z.array(clusterNameSchema).max(500)])
      .transform(v => (Array.isArray(v) ? v : [v])),
  })
  .strict();

// The rules accept exactly the shapes of the OpenAPI document (compile time).
const contract: {
  query: Same<z.input<typeof metricsQuerySchema>, MetricsQueryRequest>;
  raw: Same<z.input<typeof rawMetricsQuerySchema>, RawMetricsQueryRequest>;
  entity: Same<z.input<typeof entityMetricsQuerySchema>, EntityMetricsRequest>;
} = { query: true, raw: true, entity: true };
void contract;
