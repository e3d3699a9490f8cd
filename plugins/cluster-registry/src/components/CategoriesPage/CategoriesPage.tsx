import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import {
  Category,
  categoryManagePermission,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { clusterRegistryApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { AllClustersLink } from '../AllClustersLink';
import { CategoryDialog } from './CategoryDialog';
import { DeleteCategoryDialog } from './DeleteCategoryDialog';

type Editing =
  | { mode: 'add' }
  | { mode: 'edit'; category: Category }
  | { mode: 'delete'; category: Category };

/** /clusters/categories: the admin-managed categories. */
export function CategoriesPage() {
  const api = useApi(clusterRegistryApiRef);
  const alertApi = useApi(alertApiRef);
  const listLink = useRouteRef(rootRouteRef)();
  const canManage = usePermission({ permission: categoryManagePermission });
  const categories = useAsyncRetry(() => api.listCategories(), [api]);
  const [editing, setEditing] = useState<Editing>();

  const done = (message: string) => {
    setEditing(undefined);
    categories.retry();
    alertApi.post({ message, severity: 'success', display: 'transient' });
  };

  const columns: TableColumn<Category>[] = [
    {
      title: 'Category',
      field: 'name',
      render: c => (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Box
            width={14}
            height={14}
            borderRadius="50%"
            bgcolor={c.color ?? 'transparent'}
            border={1}
          />
          {c.name}
        </Box>
      ),
    },
    { title: 'Description', field: 'description' },
    {
      title: 'Clusters',
      render: c => (
        <Link to={`${listLink}?category=${encodeURIComponent(c.name)}`}>
          show clusters
        </Link>
      ),
    },
    {
      title: '',
      render: c =>
        canManage.allowed && (
          <Box display="flex" style={{ gap: 4 }}>
            <Button
              size="small"
              onClick={() => setEditing({ mode: 'edit', category: c })}
              aria-label={`Edit ${c.name}`}
            >
              Edit
            </Button>
            <Button
              size="small"
              onClick={() => setEditing({ mode: 'delete', category: c })}
              aria-label={`Delete ${c.name}`}
            >
              Delete
            </Button>
          </Box>
        ),
    },
  ];

  return (
    <Page themeId="tool">
      <Header title="Cluster categories" subtitle={<AllClustersLink />} />
      <Content>
        {categories.error ? (
          <ResponseErrorPanel error={categories.error} />
        ) : (
          <Table<Category>
            title="Categories"
            isLoading={categories.loading}
            options={{ search: false, paging: false, padding: 'dense' }}
            columns={columns}
            data={categories.value ?? []}
            actions={[
              {
                icon: () => <span>Add category</span>,
                tooltip: canManage.allowed
                  ? 'Add category'
                  : 'Only registry admins manage categories',
                isFreeAction: true,
                disabled: !canManage.allowed,
                onClick: () => setEditing({ mode: 'add' }),
              },
            ]}
          />
        )}
        {(editing?.mode === 'add' || editing?.mode === 'edit') && (
          <CategoryDialog
            category={editing.mode === 'edit' ? editing.category : undefined}
            onCancel={() => setEditing(undefined)}
            onSave={async c => {
              if (editing.mode === 'add') await api.createCategory(c);
              else
                await api.updateCategory(c.name, {
                  description: c.description,
                  color: c.color,
                });
              done(`Category ${c.name} saved`);
            }}
          />
        )}
        {editing?.mode === 'delete' && (
          <DeleteCategoryDialog
            category={editing.category}
            others={(categories.value ?? []).filter(
              c => c.name !== editing.category.name,
            )}
            onCancel={() => setEditing(undefined)}
            onDelete={async options => {
              await api.deleteCategory(editing.category.name, options);
              done(`Category ${editing.category.name} deleted`);
            }}
          />
        )}
      </Content>
    </Page>
  );
}
