import { ClusterConnectionsService } from '@cluster-registry/plugin-cluster-registry-node';
import { openClusterTunnel } from './clusterTunnel';

describe('openClusterTunnel', () => {
  const proxy = {
    connection: { method: 'proxy' as const, proxyUrl: 'http://proxy:3128' },
    secrets: { proxyPassword: 'p', token: 't' },
  };

  it('opens nothing for a direct connection', () => {
    const connections = { agentFor: jest.fn() };
    expect(
      openClusterTunnel(
        connections as unknown as ClusterConnectionsService,
        { connection: { method: 'direct' }, secrets: {} },
        {},
      ),
    ).toEqual({});
    expect(connections.agentFor).not.toHaveBeenCalled();
  });

  it('refuses a tunnelled cluster on a backend without the tunnel service', () => {
    expect(openClusterTunnel(undefined, proxy, {})).toEqual({
      refusal: expect.stringMatching(/no tunnel service/),
    });
  });

  it('hands the connections service the route with its own secrets only, and returns its handle', () => {
    const handle = { agent: {}, hostKey: () => undefined, close: jest.fn() };
    const connections = { agentFor: jest.fn(() => handle) };
    expect(
      openClusterTunnel(
        connections as unknown as ClusterConnectionsService,
        proxy,
        { timeoutMs: 5, ownConnection: true },
      ),
    ).toEqual({ handle });
    expect(connections.agentFor).toHaveBeenCalledWith(
      { method: 'proxy', proxyUrl: 'http://proxy:3128', password: 'p' },
      { timeoutMs: 5, ownConnection: true },
    );
  });

  it('asks for plain HTTP inside the tunnel for an http: server', () => {
    const handle = { agent: {}, hostKey: () => undefined, close: jest.fn() };
    const connections = {
      agentFor: jest.fn(),
      plainAgentFor: jest.fn(() => handle),
    };
    expect(
      openClusterTunnel(
        connections as unknown as ClusterConnectionsService,
        proxy,
        { timeoutMs: 5 },
        'http:',
      ),
    ).toEqual({ handle });
    expect(connections.plainAgentFor).toHaveBeenCalledWith(
      { method: 'proxy', proxyUrl: 'http://proxy:3128', password: 'p' },
      { timeoutMs: 5 },
    );
    expect(connections.agentFor).not.toHaveBeenCalled();
    expect(openClusterTunnel(undefined, proxy, {}, 'http:')).toEqual({
      refusal: expect.stringMatching(/no tunnel service/),
    });
  });
});
