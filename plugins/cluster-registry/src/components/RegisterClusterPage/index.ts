export { RegisterClusterPage } from './RegisterClusterPage';
