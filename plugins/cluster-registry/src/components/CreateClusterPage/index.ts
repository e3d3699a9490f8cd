export { CreateClusterPage } from './CreateClusterPage';
