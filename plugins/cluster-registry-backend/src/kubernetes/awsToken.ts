import { RootConfigService } from '@backstage/backend-plugin-api';
import { AwsIamStrategy } from '@backstage/plugin-kubernetes-backend';
import {
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_CLUSTER_ID,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
} from '@backstage/plugin-kubernetes-common';
import { AwsClusterAuth } from '@cluster-registry/plugin-cluster-registry-common';

/** Mints the bearer token an EKS API server accepts for an AWS IAM cluster. */
export type AwsTokenSource = (auth: AwsClusterAuth) => Promise<string>;

/**
 * The token source of the Kubernetes plugin's own `aws` auth provider, with
 * the same credentials (`aws` config of `@backstage/integration-aws-node`, else
 * the AWS SDK's default chain) and the same optional role to assume: what
 * verification finds is what the Kubernetes tab will get.
 */
export function awsTokenSourceFromConfig(
  config: RootConfigService,
): AwsTokenSource {
  const strategy = new AwsIamStrategy({ config });
  return async auth => {
    const credential = await strategy.getCredential({
      name: auth.clusterId,
      url: '',
      authMetadata: {
        [ANNOTATION_KUBERNETES_AWS_CLUSTER_ID]: auth.clusterId,
        ...(auth.assumeRole && {
          [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]: auth.assumeRole,
        }),
        ...(auth.externalId && {
          [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]: auth.externalId,
        }),
      },
    });
    if (credential.type !== 'bearer token')
      throw new Error('the AWS auth provider gave no bearer token');
    return credential.token;
  };
}
