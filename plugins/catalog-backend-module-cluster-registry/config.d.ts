export interface Config {
  clusterRegistry?: {
    /** The catalog module's settings. */
    catalog?: {
      /** Owner of entities of clusters without one. Default "group:default/platform". */
      defaultOwner?: string;
      /** System of every cluster entity, unless a cluster has the label backstage.io/system. */
      system?: string;
      /** Minutes between two full reconciliations. Default 10. */
      fullSyncMinutes?: number;
    };
  };
}
