import {
  Content,
  EmptyState,
  Header,
  Link,
  LinkButton,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import Chip from '@material-ui/core/Chip';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TextField from '@material-ui/core/TextField';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import WarningIcon from '@material-ui/icons/Warning';
import {
  Category,
  Cluster,
  clusterCreatePermission,
  clusterProvisionPermission,
  CLUSTER_STATES,
  ClusterState,
  HealthSample,
} from '@cluster-registry/plugin-cluster-registry-common';
import { usePermission } from '@backstage/plugin-permission-react';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';
import {
  categoriesRouteRef,
  clusterRouteRef,
  registerRouteRef,
  createClusterRouteRef,
} from '../../routes';
import { ClusterStateIcon } from '../ClusterStateIcon';
import {
  credentialExpiryWarning,
  useExpiryWarningDays,
} from '../credentialExpiry';
import { HeaderLink } from '../HeaderLink';
import { HealthTrend } from './HealthTrend';
import { useClusterFilters } from './useClusterFilters';

const PAGE_SIZE = 50;

function CategoryChip({
  name,
  categories,
}: {
  name?: string;
  categories: Category[];
}) {
  if (!name) return null;
  const color = categories.find(c => c.name === name)?.color;
  return (
    <Chip
      size="small"
      label={name}
      style={color ? { backgroundColor: color, color: '#fff' } : undefined}
    />
  );
}

/** /clusters: every registered cluster, filtered on the server. */
export function ClusterListPage() {
  const api = useApi(clusterRegistryApiRef);
  const clusterLink = useRouteRef(clusterRouteRef);
  const categoriesLink = useRouteRef(categoriesRouteRef);
  const registerLink = useRouteRef(registerRouteRef);
  const canCreate = usePermission({ permission: clusterCreatePermission });
  const createLink = useRouteRef(createClusterRouteRef);
  const canProvision = usePermission({
    permission: clusterProvisionPermission,
  });
  const registerButton =
    canCreate.allowed || canProvision.allowed ? (
      <Box display="flex" style={{ gap: 8 }}>
        {canProvision.allowed && (
          <LinkButton to={createLink()} variant="outlined" color="primary">
            Create cluster
          </LinkButton>
        )}
        {canCreate.allowed && (
          <LinkButton to={registerLink()} variant="contained" color="primary">
            Register cluster
          </LinkButton>
        )}
      </Box>
    ) : null;
  const { filters, update } = useClusterFilters();
  const [search, setSearch] = useState(filters.q);
  // The cursors of the pages visited, for the filters they were taken with:
  // other filters (a new URL) start again at the first page, no effect needed.
  const [paging, setPaging] = useState({
    filters,
    cursors: [undefined] as Array<string | undefined>,
  });
  const cursors = paging.filters === filters ? paging.cursors : [undefined];
  const setCursors = (next: Array<string | undefined>) =>
    setPaging({ filters, cursors: next });
  const page = cursors.length - 1;
  const cursor = cursors[page];

  // Typing is applied to the URL (and the query) after a short pause.
  useEffect(() => {
    const timer = setTimeout(
      () => search !== filters.q && update({ q: search }),
      300,
    );
    return () => clearTimeout(timer);
  }, [search, filters.q, update]);

  const categories = useAsync(() => api.listCategories(), [api]);
  const clusters = useAsync(
    () => api.listClusters({ ...filters, limit: PAGE_SIZE, cursor }),
    [api, filters, cursor],
  );
  // One request for the clusters on this page; isolated ones are never checked.
  const trends = useAsync(async () => {
    const names = (clusters.value?.items ?? [])
      .filter(c => !c.isolated)
      .map(c => c.name);
    if (!names.length) return new Map<string, HealthSample[]>();
    const { items } = await api.getHealthTrends(names);
    return new Map(items.map(i => [i.cluster, i.samples]));
  }, [api, clusters.value]);

  const warningDays = useExpiryWarningDays();
  const allCategories = categories.value ?? [];
  const columns: TableColumn<Cluster>[] = [
    {
      title: 'State',
      field: 'status.state',
      render: c => {
        const expiry = credentialExpiryWarning(c, warningDays);
        return (
          <>
            <ClusterStateIcon status={c.status} />
            {expiry && (
              <Typography
                variant="caption"
                component="div"
                color={expiry.expired ? 'error' : 'textSecondary'}
              >
                <WarningIcon
                  fontSize="inherit"
                  style={{ verticalAlign: 'middle', marginRight: 2 }}
                />
                {expiry.expired
                  ? 'credentials expired'
                  : `credentials expire ${
                      expiry.days === 0 ? 'within a day' : `in ${expiry.days}d`
                    }`}
              </Typography>
            )}
          </>
        );
      },
    },
    {
      title: 'Name',
      field: 'name',
      highlight: true,
      render: c => (
        <>
          <Link to={clusterLink({ name: c.name })}>{c.title}</Link>
          {c.title !== c.name && <Box color="text.secondary">{c.name}</Box>}
        </>
      ),
    },
    {
      title: 'Category',
      field: 'category',
      render: c => (
        <CategoryChip name={c.category} categories={allCategories} />
      ),
    },
    {
      title: 'Server',
      field: 'serverUrl',
      render: c => (c.isolated ? 'isolated' : c.serverUrl),
    },
    { title: 'Version', field: 'status.kubernetesVersion' },
    { title: 'Nodes', field: 'status.nodeCount', type: 'numeric' },
    {
      title: 'Health trend',
      sorting: false,
      render: c =>
        c.isolated ? '—' : <HealthTrend samples={trends.value?.get(c.name)} />,
    },
    { title: 'Owner', field: 'owner' },
    {
      title: 'Last checked',
      field: 'status.checkedAt',
      render: c =>
        c.status.checkedAt
          ? new Date(c.status.checkedAt).toLocaleString()
          : '—',
    },
  ];

  const toggleCategory = (name: string) =>
    update({
      categories: filters.categories.includes(name)
        ? filters.categories.filter(c => c !== name)
        : [...filters.categories, name],
    });

  const noFilters =
    !filters.categories.length && !filters.states.length && !filters.q;
  let body;
  if (clusters.error) body = <ResponseErrorPanel error={clusters.error} />;
  else if (!clusters.value) body = <Progress />;
  else if (clusters.value.totalCount === 0 && noFilters) {
    body = (
      <EmptyState
        missing="data"
        title="No clusters registered yet"
        description="Register a cluster by its server URL and a token, by importing contexts from a kubeconfig, or as an isolated (air-gapped) record. Clusters appear here, in the catalog and in the Kubernetes tabs of your entities."
        action={registerButton ?? undefined}
      />
    );
  } else {
    body = (
      <>
        <Table<Cluster>
          title={`Clusters (${clusters.value.totalCount})`}
          options={{ search: false, paging: false, padding: 'dense' }}
          columns={columns}
          data={clusters.value.items}
        />
        <Box display="flex" justifyContent="flex-end" mt={1} style={{ gap: 8 }}>
          <Button
            disabled={page === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous
          </Button>
          <Button
            disabled={!clusters.value.nextCursor}
            onClick={() => setCursors([...cursors, clusters.value!.nextCursor])}
          >
            Next
          </Button>
        </Box>
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Clusters"
        subtitle="Kubernetes clusters registered in the portal"
      >
        <HeaderLink to={categoriesLink()}>Categories</HeaderLink>
      </Header>
      <Content>
        {registerButton && (
          <Box display="flex" justifyContent="flex-end" mb={2}>
            {registerButton}
          </Box>
        )}
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          mb={2}
          style={{ gap: 8 }}
        >
          <Box
            role="group"
            aria-label="Filter by category"
            display="flex"
            style={{ gap: 4 }}
          >
            {allCategories.map(c => (
              <Chip
                key={c.name}
                label={c.name}
                clickable
                color={
                  filters.categories.includes(c.name) ? 'primary' : 'default'
                }
                aria-pressed={filters.categories.includes(c.name)}
                onClick={() => toggleCategory(c.name)}
              />
            ))}
          </Box>
          <FormControl size="small" style={{ minWidth: 160 }}>
            <InputLabel id="cluster-state-filter">State</InputLabel>
            <Select
              labelId="cluster-state-filter"
              multiple
              value={filters.states}
              onChange={e =>
                update({ states: e.target.value as ClusterState[] })
              }
            >
              {CLUSTER_STATES.map(s => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <TextField
            label="Search"
            size="small"
            value={search}
            onChange={e => setSearch(e.target.value)}
            inputProps={{ 'aria-label': 'Search clusters' }}
          />
        </Box>
        {body}
      </Content>
    </Page>
  );
}
