import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ClusterRegistryService } from '@cluster-registry/plugin-cluster-registry-node';
import { examples } from './assignCategory.examples';

/**
 * cluster-registry:category:assign — puts clusters in a category (or none), as the initiating user.
 *
 * @public
 */
export function createAssignCategoryAction(options: {
  registry: ClusterRegistryService;
}) {
  return createTemplateAction({
    id: 'cluster-registry:category:assign',
    description:
      'Assigns one category to the given clusters, or clears it when category is empty.',
    examples,
    schema: {
      input: {
        clusters: z =>
          z.array(z.string()).min(1).describe('Names of the clusters'),
        category: z =>
          z.string().optional().describe('Category name; empty clears it'),
      },
      output: {
        names: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      for (const name of ctx.input.clusters) {
        await options.registry.updateCluster(
          name,
          { category: ctx.input.category || null },
          { credentials },
        );
        ctx.logger.info(`${name}: category ${ctx.input.category || '(none)'}`);
      }
      ctx.output('names', ctx.input.clusters);
    },
  });
}
