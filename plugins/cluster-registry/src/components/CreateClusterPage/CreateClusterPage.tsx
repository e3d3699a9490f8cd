import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  clusterProvisionPermission,
  provisionClusterSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';
import { clusterRouteRef } from '../../routes';
import { AllClustersLink } from '../AllClustersLink';
import {
  DetailsFields,
  emptyDetails,
  FieldErrors,
  GeneralError,
  Section,
  submitChecked,
} from '../clusterForm';
import { useCategories } from '../RegisterClusterPage/useCategories';
import { useBusy } from '../useBusy';
import { EksFields } from './EksFields';
import { emptyEks, eksRequest } from './eksForm';

/**
 * /clusters/create: a new EKS cluster, created with the portal's AWS
 * configuration and registered once it answers. Everything is checked here
 * with the backend's own rules before the request goes out; the regions
 * and versions are those the configuration allows.
 */
export function CreateClusterPage() {
  const api = useApi(clusterRegistryApiRef);
  const navigate = useNavigate();
  const clusterLink = useRouteRef(clusterRouteRef);
  const categories = useCategories();
  const canProvision = usePermission({
    permission: clusterProvisionPermission,
  });
  const provisioners = useAsync(() => api.listProvisioners(), [api]);
  const eksOptions = provisioners.value?.find(p => p.id === 'eks')?.eks;
  const [details, setDetails] = useState(emptyDetails);
  const [eks, setEks] = useState(emptyEks);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, runBusy] = useBusy();

  // The configuration's defaults once they are known.
  useEffect(() => {
    if (eksOptions)
      setEks(e => ({
        ...e,
        region: e.region || eksOptions.defaultRegion || eksOptions.regions[0],
        kubernetesVersion:
          e.kubernetesVersion || eksOptions.defaultKubernetesVersion,
      }));
  }, [eksOptions]);

  const create = async () => {
    const accepted = await submitChecked({
      build: () => eksRequest(details, eks),
      rules: provisionClusterSchema,
      send: body => runBusy(() => api.provisionCluster(body)),
      setErrors,
    });
    if (accepted) navigate(clusterLink({ name: accepted.cluster.name }));
  };

  let body;
  if (canProvision.loading || provisioners.loading) body = <Progress />;
  else if (provisioners.error)
    body = <ResponseErrorPanel error={provisioners.error} />;
  else if (!canProvision.allowed)
    body = (
      <WarningPanel title="You may not create clusters">
        Creating clusters at a cloud provider is for platform administrators
        (cluster-registry.cluster.provision). Ask your platform team, or
        register an existing cluster.
      </WarningPanel>
    );
  else if (!eksOptions)
    body = (
      <WarningPanel title="This portal creates no clusters">
        No provider is configured: an administrator adds the EKS module and
        clusterRegistry.providers.eks (regions, versions, the portal's IAM
        roles).
      </WarningPanel>
    );
  else
    body = (
      <Box maxWidth={760}>
        <Typography variant="body2" color="textSecondary">
          Amazon EKS: the portal creates the network, the control plane's IAM
          role, the control plane, an OIDC provider for IRSA and read access for
          itself, then registers the cluster. It is listed at once; its page
          shows each step. Nothing is created before the whole request is valid.
        </Typography>
        <Section title="Cluster">
          <DetailsFields
            value={details}
            onChange={value => {
              setDetails(value);
              setErrors({});
            }}
            categories={categories}
            errors={errors}
          />
        </Section>
        <EksFields
          value={eks}
          onChange={value => {
            setEks(value);
            setErrors({});
          }}
          options={eksOptions}
          errors={errors}
        />
        <GeneralError message={errors._ ?? errors.eks} />
        <Box mt={3}>
          <Button
            variant="contained"
            color="primary"
            disabled={busy}
            onClick={create}
          >
            Create EKS cluster
          </Button>
        </Box>
      </Box>
    );

  return (
    <Page themeId="tool">
      <Header title="Create a cluster" subtitle={<AllClustersLink />} />
      <Content>{body}</Content>
    </Page>
  );
}
