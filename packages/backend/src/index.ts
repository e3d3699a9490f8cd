import { createBackend } from '@backstage/backend-defaults';
import { demoPortalPermissionPolicy } from './modules/permissionPolicy';
import { rootHttpRouterWithUpgradeRouting } from './modules/upgradeRouting';

const backend = createBackend();

// Websocket upgrades reach the Kubernetes plugin's /proxy (watch, exec) even
// after the signals backend has subscribed to the server's upgrade event.
backend.add(rootHttpRouterWithUpgradeRouting);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// auth: guest sign-in for the demo portal
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Sign-in behind an authenticating proxy (oauth2-proxy and the like): active
// only where auth.providers.oauth2Proxy is configured (the e2e overlay, for
// its second user).
backend.add(
  import('@backstage/plugin-auth-backend-module-oauth2-proxy-provider'),
);

// events: lets several backend replicas hand each other catalog and registry events
backend.add(import('@backstage/plugin-events-backend'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// A Resource entity (type kubernetes-cluster) per registered cluster.
backend.add(
  import('@cluster-registry/plugin-catalog-backend-module-cluster-registry'),
);

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
// cluster-registry:register and cluster-registry:category:assign.
backend.add(
  import('@cluster-registry/plugin-scaffolder-backend-module-cluster-registry'),
);

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
// the demo policy: `permission.admins` manage the cluster registry, others read
backend.add(demoPortalPermissionPolicy);

// search, with the in-memory engine and the catalog collator
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// kubernetes
backend.add(import('@backstage/plugin-kubernetes-backend'));
// Registered clusters in the Kubernetes plugin, next to the configured ones.
backend.add(
  import('@cluster-registry/plugin-kubernetes-backend-module-cluster-registry'),
);

backend.add(import('@backstage/plugin-user-settings-backend'));
// signals: pushes live updates to the browser (user settings use it)
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// the cluster registry
backend.add(import('@cluster-registry/plugin-cluster-registry-backend'));
// Creating EKS clusters from the portal (where clusterRegistry.providers.eks is configured).
backend.add(
  import('@cluster-registry/plugin-cluster-registry-backend-module-eks'),
);

backend.start();
