export interface Config {
  clusterRegistry?: {
    providers?: {
      /**
       * Creating EKS clusters from the portal. The AWS identity that creates
       * is Backstage's `aws` configuration (`@backstage/integration-aws-node`:
       * `aws.mainAccount`, else the AWS SDK's default chain), or `roleArn`
       * assumed with it.
       */
      eks?: {
        /** Regions clusters may be created in (the form offers only these). */
        regions: string[];
        /** The region the form starts with (default: the first). */
        defaultRegion?: string;
        /**
         * Kubernetes versions that may be requested: versions EKS supports.
         * The default list is maintained with this module.
         */
        kubernetesVersions?: string[];
        /** The version the form starts with (default: the newest allowed). */
        defaultKubernetesVersion?: string;
        /** An IAM role to assume for creating and deleting (else the base identity creates). */
        roleArn?: string;
        /**
         * The IAM role the portal reads created clusters with afterwards (the
         * Kubernetes plugin's `aws` auth assumes it): granted read access on
         * every cluster created (access entry with AmazonEKSViewPolicy, or
         * aws-auth mapRoles in CONFIG_MAP mode).
         */
        readerRoleArn: string;
        /** Principals given cluster admin by access entry (API modes). */
        adminPrincipalArns?: string[];
        /** How often a control plane being created or deleted is looked at (default 15 s). */
        pollIntervalSeconds?: number;
        /** Tags put on everything created, under the request's own. */
        defaultTags?: { [key: string]: string };
      };
    };
  };
}
