import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { Category } from '@cluster-registry/plugin-cluster-registry-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ClusterRegistryApi, clusterRegistryApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { CategoriesPage } from './CategoriesPage';

function setup() {
  let categories: Category[] = [
    { name: 'prod', color: '#d32f2f' },
    { name: 'qa' },
  ];
  const api = {
    listCategories: jest.fn(async () => categories),
    createCategory: jest.fn(async (c: Category) => {
      categories = [...categories, c];
      return c;
    }),
    updateCategory: jest.fn(),
    deleteCategory: jest.fn(
      async (
        name: string,
        options?: { reassignTo?: string; clear?: boolean },
      ) => {
        if (name === 'prod' && !options?.reassignTo && !options?.clear) {
          throw Object.assign(new Error('conflict'), {
            response: { status: 409 },
            body: {
              error: {
                name: 'ConflictError',
                message:
                  "name: category 'prod' is used by 2 cluster(s): a, b; reassign or clear them in the same request",
                fields: [
                  {
                    field: 'name',
                    reason:
                      "category 'prod' is used by 2 cluster(s): a, b; reassign or clear them in the same request",
                  },
                ],
              },
            },
          });
        }
        categories = categories.filter(c => c.name !== name);
      },
    ),
  } as unknown as jest.Mocked<ClusterRegistryApi>;
  return api;
}

async function render(api: ClusterRegistryApi) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [clusterRegistryApiRef, api],
        [permissionApiRef, new MockPermissionApi()],
      ]}
    >
      <CategoriesPage />
    </TestApiProvider>,
    { mountedRoutes: { '/clusters': rootRouteRef } },
  );
}

describe('CategoriesPage', () => {
  it('adds a category, checking the name rules before sending', async () => {
    const api = setup();
    await render(api);
    fireEvent.click(await screen.findByText('Add category'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Name'), {
      target: { value: 'E' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(
      await within(dialog).findByText(/at least 2 characters/),
    ).toBeInTheDocument();
    expect(api.createCategory).not.toHaveBeenCalled();
    fireEvent.change(within(dialog).getByLabelText('Name'), {
      target: { value: 'edge' },
    });
    fireEvent.change(within(dialog).getByLabelText('Description'), {
      target: { value: 'Edge sites' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.createCategory).toHaveBeenCalledWith(
        expect.objectContaining({ name: 'edge', description: 'Edge sites' }),
      ),
    );
    expect(await screen.findByText('edge')).toBeInTheDocument();
  });

  it('shows which clusters block a deletion and moves them when asked', async () => {
    const api = setup();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete prod' }));
    fireEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Delete',
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'used by 2 cluster(s): a, b',
    );
    fireEvent.mouseDown(screen.getByLabelText('Move these clusters to'));
    fireEvent.click(await screen.findByRole('option', { name: 'qa' }));
    fireEvent.click(screen.getByRole('button', { name: 'Move and delete' }));
    await waitFor(() =>
      expect(api.deleteCategory).toHaveBeenLastCalledWith('prod', {
        reassignTo: 'qa',
      }),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Delete prod' }),
      ).not.toBeInTheDocument(),
    );
  });
});
