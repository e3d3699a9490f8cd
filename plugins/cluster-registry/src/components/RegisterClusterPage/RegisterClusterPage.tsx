import {
  Content,
  Header,
  Page,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { clusterCreatePermission } from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { AllClustersLink } from '../AllClustersLink';
import { IsolatedRegistration } from './IsolatedRegistration';
import { KubeconfigRegistration } from './KubeconfigRegistration';
import { TokenRegistration } from './TokenRegistration';

const METHODS = [
  { label: 'Server URL & credentials', element: <TokenRegistration /> },
  { label: 'Kubeconfig', element: <KubeconfigRegistration /> },
  { label: 'Isolated cluster', element: <IsolatedRegistration /> },
];

/** /clusters/register: the three registration methods side by side. */
export function RegisterClusterPage() {
  const canCreate = usePermission({ permission: clusterCreatePermission });
  const [method, setMethod] = useState(0);
  let body;
  if (canCreate.loading) body = <Progress />;
  else if (!canCreate.allowed) {
    body = (
      <WarningPanel title="You may not register clusters">
        Registering clusters is for registry administrators. Ask your platform
        team, or browse the registered clusters.
      </WarningPanel>
    );
  } else {
    body = (
      <>
        <Tabs
          value={method}
          onChange={(_e, value) => setMethod(value)}
          indicatorColor="primary"
          aria-label="Registration method"
        >
          {METHODS.map((m, i) => (
            <Tab
              key={m.label}
              label={m.label}
              id={`register-tab-${i}`}
              aria-controls={`register-panel-${i}`}
            />
          ))}
        </Tabs>
        <div
          role="tabpanel"
          id={`register-panel-${method}`}
          aria-labelledby={`register-tab-${method}`}
        >
          {METHODS[method].element}
        </div>
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header title="Register a cluster" subtitle={<AllClustersLink />} />
      <Content>{body}</Content>
    </Page>
  );
}
