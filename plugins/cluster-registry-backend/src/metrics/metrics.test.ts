import { buildCatalogue, selectorFor } from './catalogue';
import { familyOf } from './families';
import { MetricsCache } from './MetricsCache';
import { resolveRange } from './range';
import { podRegex, promString } from './selectors';
import { readMetricsSettings } from './settings';
import { ConfigReader } from '@backstage/config';

const settings = readMetricsSettings();

describe('selectors', () => {
  it('quotes values so that nothing breaks out of the string', () => {
    expect(promString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('matches exactly the pods of a workload', () => {
    const deployment = new RegExp(`^${podRegex('Deployment', 'api')}$`);
    expect(deployment.test('api-7c9d8bf5b4-x2k4p')).toBe(true);
    expect(deployment.test('api-gateway-7c9d8bf5b4-x2k4p')).toBe(false);
    expect(new RegExp(`^${podRegex('StatefulSet', 'db')}$`).test('db-0')).toBe(
      true,
    );
    expect(podRegex('Deployment', 'a.b')).toContain('a\\.b');
  });

  it('adds the cluster label to every exporter', () => {
    const sel = selectorFor(settings, { name: 'cluster', value: 'prod "eu"' });
    expect(sel('kubeStateMetrics', 'resource="cpu"')).toBe(
      'job="kube-state-metrics",cluster="prod \\"eu\\"",resource="cpu"',
    );
    expect(selectorFor(settings)('application')).toBe('__name__!=""');
  });
});

describe('catalogue', () => {
  const catalogue = buildCatalogue(
    readMetricsSettings(
      new ConfigReader({
        clusterRegistry: {
          metrics: {
            nodeLabel: 'node_name',
            queries: [
              {
                id: 'custom.upTargets',
                title: 'Targets up',
                unit: 'count',
                expr: 'sum(up{ {{apiserver}} }[{{window}}])',
              },
            ],
          },
        },
      }),
    ),
  );
  const ctx = {
    sel: selectorFor(settings, { name: 'cluster', value: 'c1' }),
    window: '2m',
    pods: { namespace: 'shop', regex: podRegex('Deployment', 'web') },
  };

  it('builds queries with the cluster matcher, the window and the pods', () => {
    expect(catalogue.get('cpu.utilisation')!.expr(ctx)).toBe(
      '1 - avg(rate(node_cpu_seconds_total{job="node-exporter",cluster="c1",mode="idle"}[2m]))',
    );
    expect(catalogue.get('workload.restarts')!.expr(ctx)).toContain(
      'namespace="shop",pod=~"web-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}"',
    );
    expect(catalogue.get('node.cpuUtilisation')!.expr(ctx)).toContain(
      '"node", "$1", "node_name"',
    );
    expect(catalogue.get('custom.upTargets')!.expr(ctx)).toBe(
      'sum(up{ job="apiserver",cluster="c1" }[2m])',
    );
  });

  it('refuses a workload query without a workload', () => {
    expect(() =>
      catalogue.get('workload.cpu')!.expr({ ...ctx, pods: undefined }),
    ).toThrow(/namespace and params.workload/);
  });

  it('refuses custom ids outside custom.', () => {
    expect(() =>
      readMetricsSettings(
        new ConfigReader({
          clusterRegistry: {
            metrics: {
              queries: [
                { id: 'nodes.total', title: 't', unit: 'count', expr: 'up' },
              ],
            },
          },
        }),
      ),
    ).toThrow(/custom\./);
  });
});

describe('families', () => {
  it('takes validated names from annotations, never PromQL', () => {
    const f = familyOf({
      'cluster-registry.io/http-requests-metric':
        'prometheus_http_requests_total',
      'cluster-registry.io/http-error-status': '4..|5..',
    });
    expect(f).toMatchObject({
      requests: 'prometheus_http_requests_total',
      errorStatus: '4..|5..',
      statusLabel: 'code',
    });
    expect(
      familyOf({
        'cluster-registry.io/http-requests-metric': 'x{a="b"} or up',
      }),
    ).toEqual({ error: expect.stringMatching(/metric name/) });
    expect(familyOf({ 'cluster-registry.io/metrics-family': 'nope' })).toEqual({
      error: expect.stringMatching(/not one of/),
    });
  });
});

describe('ranges', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('caps points, aligns to the step and widens the rate window', () => {
    const r = resolveRange({ last: '7d' }, settings, now);
    expect((r.end - r.start) / r.step).toBeLessThanOrEqual(
      settings.maxPoints + 1,
    );
    expect(r.start % r.step).toBe(0);
    expect(r.window).toBeGreaterThanOrEqual(4 * settings.scrapeIntervalSeconds);
    // Neighbouring points' windows overlap by a scrape: no increase is lost.
    expect(r.window).toBe(r.step + settings.scrapeIntervalSeconds);
    const short = resolveRange({ last: '15m' }, settings, now);
    expect(short.step).toBe(30);
    // With a 30 s scrape the four-scrape floor (120 s) is wider.
    expect(short.window).toBe(4 * settings.scrapeIntervalSeconds);
    const fine = resolveRange(
      { last: '15m' },
      { ...settings, scrapeIntervalSeconds: 1 },
      now,
    );
    expect(fine).toMatchObject({ step: 4, window: 5 });
  });

  it('refuses ranges above the cap', () => {
    expect(() =>
      resolveRange(
        { start: '2026-01-01T00:00:00Z', end: '2026-03-01T00:00:00Z' },
        settings,
        now,
      ),
    ).toThrow(/longer than 168 hours/);
  });
});

describe('cache', () => {
  it('shares one request in flight and forgets failures', async () => {
    const cache = new MetricsCache<number>(1000);
    let calls = 0;
    const load = () => Promise.resolve(++calls);
    await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect(calls).toBe(1);
    await expect(
      cache.get('f', () => Promise.reject(new Error('x'))),
    ).rejects.toThrow();
    await new Promise(r => setImmediate(r));
    expect(await cache.get('f', load)).toBe(2);
  });
});
