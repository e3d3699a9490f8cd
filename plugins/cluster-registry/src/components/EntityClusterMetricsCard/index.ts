export { EntityClusterMetricsCard } from './EntityClusterMetricsCard';
