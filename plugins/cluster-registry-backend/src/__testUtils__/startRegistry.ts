import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { EventsService, eventsServiceRef } from '@backstage/plugin-events-node';
import crypto from 'node:crypto';
import { clusterRegistryPlugin } from '../plugin';

/**
 * The cluster registry in a test backend: a fresh encryption key, short
 * verification timeout, no scheduled health sweep during the test, and
 * optionally a fixed permission decision or an auditor mock.
 */
export async function startRegistry(
  options: {
    permissions?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    auditor?: ReturnType<typeof mockServices.auditor.mock>;
    events?: EventsService;
    /** More clusterRegistry settings. */
    settings?: Record<string, unknown>;
    /** Other root config (for further features). */
    config?: Record<string, unknown>;
    /** Further features (e.g. a catalog service mock). */
    features?: Parameters<typeof startTestBackend>[0]['features'];
  } = {},
) {
  const { server } = await startTestBackend({
    features: [
      clusterRegistryPlugin,
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          clusterRegistry: {
            encryptionKey: crypto.randomBytes(32).toString('base64'),
            verificationTimeoutMs: 3000,
            healthCheck: { intervalSeconds: 3600 },
            ...options.settings,
          },
        },
      }),
      ...(options.features ?? []),
      ...(options.auditor ? [options.auditor.factory] : []),
      ...(options.events
        ? [
            createServiceFactory({
              service: eventsServiceRef,
              deps: {},
              factory: () => options.events!,
            }),
          ]
        : []),
      ...(options.permissions
        ? [mockServices.permissions.factory({ result: options.permissions })]
        : []),
    ],
  });
  return server;
}
