export * from './formModel';
export { ConnectionFields } from './ConnectionFields';
export { DetailsFields } from './DetailsFields';
export { EndpointFields } from './EndpointFields';
export { PrometheusFields } from './PrometheusFields';
export { SecretField } from './SecretField';
export { Section } from './Section';
export { VerificationPanel } from './VerificationPanel';
export { TlsFields } from './TlsFields';
