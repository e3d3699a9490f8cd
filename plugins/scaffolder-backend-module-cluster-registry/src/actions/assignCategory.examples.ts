import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** cluster-registry:category:assign, shown in the portal's action reference (/create/actions). */
export const examples: TemplateExample[] = [
  {
    description: 'Move two clusters to the category "staging"',
    example: `steps:
  - id: assign
    action: cluster-registry:category:assign
    input:
      clusters: [prod-eu-1, prod-eu-2]
      category: staging
`,
  },
  {
    description:
      'Take a cluster out of its category (an empty category clears it)',
    example: `steps:
  - id: clear
    action: cluster-registry:category:assign
    input:
      clusters: [bank-airgap]
      category: ''
`,
  },
];
