import { MockFetchApi, registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ClusterRegistryClient } from './ClusterRegistryClient';

const base = 'http://backend.test/api/cluster-registry';

describe('ClusterRegistryClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const client = new ClusterRegistryClient({
    discoveryApi: { getBaseUrl: async () => base },
    fetchApi: new MockFetchApi(),
  });

  it('sends filters as repeated query parameters and returns the page', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(`${base}/clusters`, ({ request }) => {
        seen = new URL(request.url);
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );
    const page = await client.listClusters({
      categories: ['prod', 'qa'],
      states: ['running'],
      q: 'eu',
      limit: 50,
      cursor: 'abc',
    });
    expect(page).toEqual({ items: [], totalCount: 0 });
    expect(seen!.searchParams.getAll('category')).toEqual(['prod', 'qa']);
    expect(seen!.searchParams.getAll('state')).toEqual(['running']);
    expect(
      Object.fromEntries(
        ['q', 'limit', 'cursor'].map(k => [k, seen!.searchParams.get(k)]),
      ),
    ).toEqual({ q: 'eu', limit: '50', cursor: 'abc' });
  });

  it('encodes path parameters and throws the backend error', async () => {
    server.use(
      http.get(`${base}/clusters/:name`, ({ params }) =>
        HttpResponse.json(
          {
            error: {
              name: 'NotFoundError',
              message: `no cluster named '${params.name}'`,
            },
            request: { method: 'GET', url: '/' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    await expect(client.getCluster('a/b')).rejects.toMatchObject({
      name: 'ResponseError',
      body: { error: { message: "no cluster named 'a/b'" } },
    });
  });

  it('unwraps the category list', async () => {
    server.use(
      http.get(`${base}/categories`, () =>
        HttpResponse.json({ items: [{ name: 'prod' }] }),
      ),
    );
    expect(await client.listCategories()).toEqual([{ name: 'prod' }]);
  });

  it('asks for events by type and health trends by repeated names', async () => {
    const seen: URL[] = [];
    server.use(
      http.get(`${base}/clusters/:name/events`, ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({ items: [], warningCount: 0 });
      }),
      http.get(`${base}/health-trends`, ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({ items: [] });
      }),
    );
    await client.listClusterEvents('a', { type: 'all', limit: 50 });
    await client.getHealthTrends(['a', 'b']);
    expect(seen[0].searchParams.get('type')).toBe('all');
    expect(seen[0].searchParams.get('limit')).toBe('50');
    expect(seen[1].searchParams.getAll('cluster')).toEqual(['a', 'b']);
    // No names, no request.
    expect(await client.getHealthTrends([])).toEqual({ items: [] });
    expect(seen).toHaveLength(2);
  });
});
