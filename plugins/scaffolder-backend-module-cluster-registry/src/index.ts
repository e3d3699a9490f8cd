/**
 * Scaffolder actions of the cluster registry.
 *
 * @packageDocumentation
 */
export { scaffolderModuleClusterRegistry as default } from './module';
export { createRegisterClusterAction } from './actions/register';
export { createAssignCategoryAction } from './actions/assignCategory';
export { createEksClusterAction } from './actions/createEks';
