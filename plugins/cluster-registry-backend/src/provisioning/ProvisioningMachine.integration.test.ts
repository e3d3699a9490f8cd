import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  ClusterProvisioner,
  ProvisioningStepError,
  ProvisioningStepOutcome,
} from '@cluster-registry/plugin-cluster-registry-node';
import crypto from 'node:crypto';
import {
  plannedSteps,
  ProvisioningMachine,
  RegistryHooks,
} from './ProvisioningMachine';
import { ProvisioningRecord, ProvisioningStore } from './ProvisioningStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

type Script = Record<string, Array<() => ProvisioningStepOutcome>>;

/** A provisioner whose steps answer from a script, counting their runs. */
function scripted(script: Script) {
  const runs: string[] = [];
  const seen: Array<Record<string, unknown>> = [];
  const provisioner: ClusterProvisioner<{}> = {
    id: 'fake',
    info: () => ({ id: 'fake', title: 'Fake' }),
    validate: async () => ({}),
    plan: op =>
      op === 'create'
        ? [
            { id: 'network', title: 'Network' },
            { id: 'control-plane', title: 'Control plane' },
          ]
        : [{ id: 'control-plane', title: 'Delete it' }],
    reconcile: async ctx => {
      runs.push(ctx.step);
      seen.push(ctx.resources);
      const answers = script[ctx.step];
      const answer = answers.length > 1 ? answers.shift()! : answers[0];
      return answer();
    },
  };
  return { provisioner, runs, seen };
}

function hooks(): RegistryHooks & { progress: string[] } {
  const progress: string[] = [];
  return {
    progress,
    register: async () => ({ status: 'done', message: 'verified' }),
    deregister: async () => undefined,
    remove: async () => undefined,
    showProgress: async (_r, state, message) => {
      progress.push(`${state}: ${message}`);
    },
    kubernetes: () => {
      throw new Error('not used');
    },
  };
}

describe.each(databases.eachSupportedId())(
  'the provisioning machine on %p',
  databaseId => {
    let store: ProvisioningStore;
    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@cluster-registry/plugin-cluster-registry-backend',
          'migrations',
        ),
      });
      store = new ProvisioningStore(knex);
    });

    async function submit(provisioner: ClusterProvisioner<{}>) {
      const now = new Date().toISOString();
      const steps = plannedSteps(provisioner, 'create', {}, {});
      const record: ProvisioningRecord = {
        id: crypto.randomUUID(),
        cluster: `c-${crypto.randomUUID().slice(0, 8)}`,
        provider: 'fake',
        operation: 'create',
        state: 'running',
        currentStep: steps[0].id,
        steps,
        spec: {} as any,
        resources: {},
        attempts: 0,
        nextCheckAt: now,
        createdBy: 'user:default/ann',
        createdAt: now,
        updatedAt: now,
      };
      await store.insert(record);
      return record.id;
    }

    const machine = (
      provisioner: ClusterProvisioner<{}>,
      h = hooks(),
      more = {},
    ) =>
      new ProvisioningMachine({
        store,
        provisioners: new Map([['fake', provisioner]]),
        hooks: h,
        logger: mockServices.logger.mock(),
        defaultWaitMs: 50,
        ...more,
      });

    it('runs the steps in order, keeps what each recorded, and registers last', async () => {
      const target = {
        serverUrl: 'https://x',
        caData: 'Y2E=',
        auth: { type: 'aws' as const, clusterId: 'x' },
      };
      const { provisioner, runs, seen } = scripted({
        network: [
          () => ({
            status: 'done',
            resources: { vpcId: 'vpc-1' },
            outputs: { vpcId: 'vpc-1' },
          }),
        ],
        'control-plane': [
          () => ({
            status: 'done',
            resources: { arn: 'arn:1' },
            registration: target,
          }),
        ],
      });
      const h = hooks();
      const id = await submit(provisioner);
      expect(await machine(provisioner, h).advance(id)).toBe(true);
      expect(runs).toEqual(['network', 'control-plane']);
      expect(seen[1]).toEqual({ vpcId: 'vpc-1' });
      const done = (await store.get(id))!;
      expect(done).toMatchObject({
        state: 'succeeded',
        resources: { vpcId: 'vpc-1', arn: 'arn:1' },
        outputs: { vpcId: 'vpc-1' },
        registration: target,
      });
      expect(done.steps.map(s => [s.id, s.state])).toEqual([
        ['network', 'done'],
        ['control-plane', 'done'],
        ['registration', 'done'],
      ]);
      expect(done.steps.every(s => s.startedAt && s.finishedAt)).toBe(true);
      expect(h.progress).toContain('provisioning: Network: done');
    });

    it('a waiting step is run again once it is due, not before', async () => {
      const { provisioner, runs } = scripted({
        network: [
          () => ({
            status: 'wait',
            message: 'EKS reports CREATING',
            checkAgainInMs: 400,
          }),
          () => ({ status: 'done' }),
        ],
        'control-plane': [
          () => ({ status: 'wait', message: 'again', checkAgainInMs: 60_000 }),
        ],
      });
      const id = await submit(provisioner);
      const m = machine(provisioner);
      await m.advance(id);
      expect((await store.get(id))!.steps[0]).toMatchObject({
        state: 'running',
        message: 'EKS reports CREATING',
      });
      expect(await store.due(new Date(), 100)).not.toContain(id);
      await new Promise(r => setTimeout(r, 500));
      expect(await store.due(new Date(), 100)).toContain(id);
      await m.advance(id);
      expect(runs).toEqual(['network', 'network', 'control-plane']);
    });

    it('retries a retryable failure with backoff, then fails with the error and what to do', async () => {
      const { provisioner, runs } = scripted({
        network: [
          () => {
            throw new ProvisioningStepError('Rate exceeded', {
              code: 'ThrottlingException',
              retryable: true,
              hint: 'wait',
            });
          },
        ],
        'control-plane': [() => ({ status: 'done' })],
      });
      const h = hooks();
      const id = await submit(provisioner);
      const m = machine(provisioner, h, { maxAttempts: 3, defaultWaitMs: 1 });
      for (let i = 0; i < 3; i++) {
        await m.advance(id);
        await new Promise(r => setTimeout(r, 20));
      }
      expect(runs).toEqual(['network', 'network', 'network']);
      const failed = (await store.get(id))!;
      expect(failed.state).toBe('failed');
      expect(failed.steps[0]).toMatchObject({
        state: 'failed',
        error: {
          message: 'Rate exceeded',
          code: 'ThrottlingException',
          hint: 'wait',
        },
      });
      expect(h.progress.at(-1)).toBe(
        'failed: creation failed at "Network": Rate exceeded (wait)',
      );
      // Failed requests are not due.
      expect(await store.due(new Date(), 100)).not.toContain(id);
    });

    it('runs a request in one backend at a time, and resumes a step whose backend died', async () => {
      let release!: () => void;
      const gate = new Promise<void>(r => (release = r));
      let running = 0;
      let most = 0;
      const provisioner: ClusterProvisioner<{}> = {
        ...scripted({}).provisioner,
        reconcile: async ctx => {
          running++;
          most = Math.max(most, running);
          if (ctx.step === 'network') await gate;
          running--;
          return ctx.step === 'network'
            ? { status: 'done' }
            : { status: 'wait', message: 'later', checkAgainInMs: 60_000 };
        },
      };
      const id = await submit(provisioner);
      const a = machine(provisioner);
      const b = machine(provisioner);
      const first = a.advance(id);
      await new Promise(r => setTimeout(r, 100));
      expect(await b.advance(id)).toBe(false); // leased by a
      release();
      await first;
      expect(most).toBe(1);

      // A backend that took the lease and died: once the lease runs out,
      // another runs the step again.
      const dead = await submit(provisioner);
      expect(await store.claim(dead, 'dead-backend', 200)).toBeDefined();
      expect(await b.advance(dead)).toBe(false);
      await new Promise(r => setTimeout(r, 300));
      expect(await b.advance(dead)).toBe(true);
      expect((await store.get(dead))!.currentStep).toBe('control-plane');
    });
  },
);
