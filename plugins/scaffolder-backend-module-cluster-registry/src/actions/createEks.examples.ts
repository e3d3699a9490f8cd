import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** cluster-registry:eks:create, shown in the portal's action reference (/create/actions). */
export const examples: TemplateExample[] = [
  {
    description: 'Create a qa cluster in eu-west-1 and wait until it runs',
    example: `steps:
  - id: create
    action: cluster-registry:eks:create
    name: Create the EKS cluster
    input:
      name: payments-qa
      category: qa
      owner: group:default/payments
      region: eu-west-1
      vpcCidr: 10.20.0.0/16
      kubernetesVersion: '1.34'
      authenticationMode: API
      team: payments
      environment: qa
      waitUntilReady: true
      timeoutMinutes: 40
`,
  },
];
