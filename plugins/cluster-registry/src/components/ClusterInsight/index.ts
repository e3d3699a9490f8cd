export { ClusterInsight } from './ClusterInsight';
