import { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';

/**
 * A scheduler whose health sweeps run only when the test says so. The mock
 * scheduler's instance has a factory and triggerTask, which its declared
 * type (SchedulerService) does not show.
 */
export function manualSweeps() {
  const scheduler = mockServices.scheduler() as ReturnType<
    typeof mockServices.scheduler
  > & {
    factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
  };
  return {
    /** The scheduler service, for startRegistry's features. */
    factory: scheduler.factory({ skipTaskRunOnStartup: true }),
    /** Runs one health sweep now and waits for it. */
    sweep: () => scheduler.triggerTask('cluster-registry-health-check'),
  };
}
