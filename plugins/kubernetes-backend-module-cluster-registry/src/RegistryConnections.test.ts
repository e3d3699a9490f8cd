import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import {
  ClusterConnection,
  ClusterRegistryService,
} from '@cluster-registry/plugin-cluster-registry-node';
import { RegistryConnections } from './RegistryConnections';

const connection = (name: string, title = name) =>
  ({ name, title } as ClusterConnection);

/** A registry that counts its reads, with clusters the test changes. */
function fakeRegistry(names: string[]) {
  const clusters = new Map(names.map(n => [n, connection(n)]));
  const calls = { list: 0, get: [] as string[] };
  let fail = false;
  const registry = {
    async listConnections() {
      calls.list++;
      if (fail) throw new Error('ECONNREFUSED');
      return [...clusters.values()];
    },
    async getConnection(name: string) {
      calls.get.push(name);
      if (fail) throw new Error('ECONNREFUSED');
      const c = clusters.get(name);
      if (!c) throw new NotFoundError(`no dialable cluster named '${name}'`);
      return c;
    },
  } as unknown as ClusterRegistryService;
  return { registry, clusters, calls, failing: (f: boolean) => (fail = f) };
}

describe('RegistryConnections', () => {
  const logger = mockServices.logger.mock();

  it('reads the list once, then only the clusters an event names', async () => {
    const fake = fakeRegistry(['b', 'a']);
    const kept = new RegistryConnections(fake.registry, { logger });
    expect((await kept.connections()).map(c => c.name)).toEqual(['a', 'b']);
    await kept.connections();
    expect(fake.calls).toEqual({ list: 1, get: [] });

    fake.clusters.set('c', connection('c'));
    fake.clusters.set('a', connection('a', 'renamed'));
    fake.clusters.delete('b');
    kept.changed({ eventId: 'cluster-register', cluster: 'c' });
    kept.changed({ eventId: 'cluster-update', cluster: 'a' });
    kept.changed({ eventId: 'cluster-disconnect', cluster: 'b' });
    // The read right after the events waits for them.
    expect(await kept.connections()).toEqual([
      connection('a', 'renamed'),
      connection('c'),
    ]);
    expect(fake.calls.list).toBe(1);
    expect(fake.calls.get.sort()).toEqual(['a', 'b', 'c']);
  });

  it('reads everything again for a change without a cluster, for many at once, and on the consistency check', async () => {
    const fake = fakeRegistry(['a']);
    const kept = new RegistryConnections(fake.registry, {
      logger,
      maxSingleReads: 2,
    });
    await kept.connections();
    kept.changed({ eventId: 'category-delete' });
    await kept.connections();
    expect(fake.calls.list).toBe(2);
    // Three changes heard while one is being read: one full read for them.
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const getConnection = fake.registry.getConnection.bind(fake.registry);
    fake.registry.getConnection = async name => {
      await gate;
      return getConnection(name);
    };
    fake.clusters.set('w', connection('w'));
    kept.changed({ eventId: 'cluster-register', cluster: 'w' });
    for (const name of ['x', 'y', 'z']) {
      fake.clusters.set(name, connection(name));
      kept.changed({ eventId: 'cluster-register', cluster: name });
    }
    release();
    expect(await kept.connections()).toHaveLength(5);
    expect(fake.calls).toEqual({ list: 3, get: ['w'] });
    // A cluster whose event was lost is there after the check.
    fake.clusters.set('lost', connection('lost'));
    await kept.reloadAll();
    expect((await kept.connections()).map(c => c.name)).toContain('lost');
  });

  it('a change heard while a read is under way is read again after it', async () => {
    const fake = fakeRegistry(['a']);
    const kept = new RegistryConnections(fake.registry, { logger });
    await kept.connections();
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const getConnection = fake.registry.getConnection.bind(fake.registry);
    fake.registry.getConnection = async name => {
      await gate;
      return getConnection(name);
    };
    kept.changed({ eventId: 'cluster-update', cluster: 'a' });
    // Changed again while the first read is still on its way.
    fake.clusters.set('a', connection('a', 'second'));
    kept.changed({ eventId: 'cluster-update', cluster: 'a' });
    release();
    expect(await kept.connections()).toEqual([connection('a', 'second')]);
    expect(fake.calls.get).toEqual(['a', 'a']);
  });

  it('the first read fails with the registry; later ones keep what they hold and do not wait past maxWaitMs', async () => {
    const fake = fakeRegistry(['a']);
    const kept = new RegistryConnections(fake.registry, {
      logger,
      maxWaitMs: 50,
      readTimeoutMs: 100,
    });
    fake.failing(true);
    await expect(kept.connections()).rejects.toThrow('ECONNREFUSED');
    fake.failing(false);
    expect(await kept.connections()).toEqual([connection('a')]);

    fake.failing(true);
    kept.changed({ eventId: 'cluster-update', cluster: 'a' });
    expect(await kept.connections()).toEqual([connection('a')]);
    // Still pending: read once the registry answers again.
    fake.failing(false);
    fake.clusters.set('a', connection('a', 'back'));
    expect(await kept.connections()).toEqual([connection('a', 'back')]);

    // A registry that hangs holds a read up for maxWaitMs only, and the
    // list recovers once it answers again: the hung read times out.
    const getConnection = fake.registry.getConnection.bind(fake.registry);
    fake.registry.getConnection = () => new Promise(() => {});
    kept.changed({ eventId: 'cluster-update', cluster: 'a' });
    expect(await kept.connections()).toEqual([connection('a', 'back')]);
    fake.registry.getConnection = getConnection;
    fake.clusters.set('a', connection('a', 'recovered'));
    await new Promise(r => setTimeout(r, 150));
    expect(await kept.connections()).toEqual([connection('a', 'recovered')]);
  });

  it('a first read that hangs fails after readTimeoutMs, so the supplier can go on without it', async () => {
    const fake = fakeRegistry(['a']);
    fake.registry.listConnections = () => new Promise(() => {});
    const kept = new RegistryConnections(fake.registry, {
      logger,
      readTimeoutMs: 50,
    });
    await expect(kept.connections()).rejects.toThrow('no answer in 50 ms');
  });
});
