import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { createClusterSchema } from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { clusterRegistryApiRef } from '../../api';
import { clusterRouteRef } from '../../routes';
import {
  DetailsFields,
  emptyDetails,
  FieldErrors,
  isolatedRegistration,
  submitChecked,
  GeneralError,
} from '../clusterForm';
import { useBusy } from '../useBusy';
import { useCategories } from './useCategories';

/** Register an isolated (air-gapped) cluster: a record without an endpoint. */
export function IsolatedRegistration() {
  const api = useApi(clusterRegistryApiRef);
  const navigate = useNavigate();
  const clusterLink = useRouteRef(clusterRouteRef);
  const categories = useCategories();
  const [details, setDetails] = useState(emptyDetails);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, runBusy] = useBusy();

  const save = async () => {
    const cluster = await submitChecked({
      build: () => isolatedRegistration(details),
      rules: createClusterSchema,
      send: body => runBusy(() => api.createCluster(body)),
      setErrors,
    });
    if (cluster) navigate(clusterLink({ name: cluster.name }));
  };

  return (
    <Box maxWidth={720}>
      <Typography variant="body2" color="textSecondary">
        An isolated cluster has no endpoint the portal can reach: it is listed,
        categorised and owned like any other, and never probed.
      </Typography>
      <DetailsFields
        value={details}
        onChange={value => {
          setDetails(value);
          setErrors({});
        }}
        categories={categories}
        errors={errors}
      />
      <GeneralError message={errors._} />
      <Box mt={2}>
        <Button
          variant="contained"
          color="primary"
          disabled={busy}
          onClick={save}
        >
          Register isolated cluster
        </Button>
      </Box>
    </Box>
  );
}
