export * from './cidr';
export * from './schemas';
