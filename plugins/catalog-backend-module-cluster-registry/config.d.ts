import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  clusterRegistry?: {
    /** The catalog module's settings. */
    catalog?: {
      /** Owner of entities of clusters without one. Default "group:default/platform". */
      defaultOwner?: string;
      /** System of every cluster entity, unless a cluster has the label backstage.io/system. */
      system?: string;
      /** When full reconciliations run, as a Backstage schedule. Takes precedence over fullSyncMinutes. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Minutes between two full reconciliations (shorthand for schedule). Default 10. */
      fullSyncMinutes?: number;
    };
  };
}
