import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** cluster-registry:register, shown in the portal's action reference (/create/actions). */
export const examples: TemplateExample[] = [
  {
    description:
      'Register a cluster by server URL and a token taken from the template secret "token"',
    example: `steps:
  - id: register
    action: cluster-registry:register
    input:
      method: token
      name: \${{ parameters.name }}
      title: \${{ parameters.title }}
      category: prod
      owner: \${{ parameters.owner }}
      serverUrl: https://10.0.0.1:6443
      caData: \${{ parameters.caData }}
      tokenSecret: token
`,
  },
  {
    description:
      'Import two contexts of a kubeconfig given as the template secret "kubeconfig"',
    example: `steps:
  - id: register
    action: cluster-registry:register
    input:
      method: kubeconfig
      kubeconfigSecret: kubeconfig
      contexts:
        - context: prod-eu
          name: prod-eu-1
        - context: prod-us
      category: prod
`,
  },
  {
    description:
      'Register a private cluster reached through an SSH bastion, with the private key from the template secret "sshPrivateKey"; its Prometheus, inside the private network, through the same tunnel',
    example: `steps:
  - id: register
    action: cluster-registry:register
    input:
      method: token
      name: \${{ parameters.name }}
      category: prod
      serverUrl: https://api.private.internal:6443
      caData: \${{ parameters.caData }}
      tokenSecret: token
      connection:
        method: sshTunnel
        sshHost: bastion.example.com
        sshUsername: portal
        sshPrivateKeySecret: sshPrivateKey
      prometheusUrl: http://prometheus.private.internal:9090
      prometheusThroughClusterConnection: true
`,
  },
  {
    description: 'Register an isolated (air-gapped) cluster',
    example: `steps:
  - id: register
    action: cluster-registry:register
    input:
      method: isolated
      name: bank-airgap
      category: prod
      description: Air-gapped cluster in the bank's data centre
`,
  },
];
