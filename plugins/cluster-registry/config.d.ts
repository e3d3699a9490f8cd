export interface Config {
  clusterRegistry?: {
    credentialExpiry?: {
      /**
       * Days before a cluster's token or client certificate expires from
       * which the list and the cluster page warn. Default 14.
       * @visibility frontend
       */
      warningDays?: number;
    };
  };
}
