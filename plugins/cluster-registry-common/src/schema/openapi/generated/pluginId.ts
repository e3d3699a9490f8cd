export const pluginId = 'cluster-registry';
