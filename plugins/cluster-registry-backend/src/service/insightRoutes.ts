import {
  clusterEventsQuerySchema,
  entityMetricsQuerySchema,
  healthTrendsQuerySchema,
  metricsQuerySchema,
  rawMetricsQuerySchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { Request } from 'express';
import { ClusterInsightService } from '../insight/ClusterInsightService';
import { EntityMetrics } from '../metrics/EntityMetrics';
import { MetricsService } from '../metrics/MetricsService';
import { Caller, ClusterService } from './ClusterService';
import { parse } from './parse';

export interface InsightRouteOptions {
  service: ClusterService;
  insight: ClusterInsightService;
  metrics: MetricsService;
  entityMetrics?: EntityMetrics;
}

/** The read-only routes of the cluster page, the entity metrics card and the list's trends. */
export function addInsightRoutes(
  // The typed router of the OpenAPI document.
  router: {
    get(path: string, handler: (req: Request, res: any) => unknown): unknown;
    post(path: string, handler: (req: Request, res: any) => unknown): unknown;
  },
  caller: (req: Request) => Promise<Caller>,
  options: InsightRouteOptions,
) {
  const { service, insight, metrics, entityMetrics } = options;

  router.get('/clusters/:name/insight', async (req, res) => {
    res.json(await insight.insight(req.params.name, await caller(req)));
  });

  router.get('/clusters/:name/events', async (req, res) => {
    const query = parse(clusterEventsQuerySchema, req.query);
    res.json(await insight.events(req.params.name, query, await caller(req)));
  });

  router.get('/clusters/:name/metrics/sources', async (req, res) => {
    res.json(await metrics.metricsSources(req.params.name, await caller(req)));
  });

  router.post('/clusters/:name/metrics/query', async (req, res) => {
    const input = parse(metricsQuerySchema, req.body);
    res.json(await metrics.query(req.params.name, input, await caller(req)));
  });

  router.post('/clusters/:name/metrics/raw', async (req, res) => {
    const input = parse(rawMetricsQuerySchema, req.body);
    res.json(await metrics.raw(req.params.name, input, await caller(req)));
  });

  router.get('/metrics/queries', async (req, res) => {
    res.json(await metrics.listQueries(await caller(req)));
  });

  router.post('/entity-metrics/query', async (req, res) => {
    const input = parse(entityMetricsQuerySchema, req.body);
    if (!entityMetrics) {
      res.status(404).json({
        error: {
          name: 'NotFoundError',
          message: 'entity metrics need the catalog service in this backend',
        },
      });
      return;
    }
    res.json(await entityMetrics.query(input, await caller(req)));
  });

  router.get('/health-trends', async (req, res) => {
    const { cluster } = parse(healthTrendsQuerySchema, req.query);
    res.json({ items: await service.healthTrends(cluster, await caller(req)) });
  });
}
