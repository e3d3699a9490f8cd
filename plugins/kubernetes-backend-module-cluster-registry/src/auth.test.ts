import { mockServices } from '@backstage/backend-test-utils';
import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import {
  authStrategies,
  ServiceAccountOrClientCertificateStrategy,
} from './auth';

describe('authStrategies', () => {
  it("registers again exactly the Kubernetes plugin's built-in strategies, so an upgrade that adds one fails here", () => {
    // Not part of the plugin's public API: read from its build, in a test only.
    const { buildDefaultAuthStrategyMap } = jest.requireActual(
      '@backstage/plugin-kubernetes-backend/dist/auth/buildDefaultAuthStrategyMap.cjs.js',
    ) as {
      buildDefaultAuthStrategyMap(
        deps: object,
      ): Map<string, AuthenticationStrategy>;
    };
    const deps = {
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    };
    const builtIn = buildDefaultAuthStrategyMap(deps);
    const ours = new Map(authStrategies(deps));

    expect([...ours.keys()].sort()).toEqual([...builtIn.keys()].sort());
    // Each key keeps its built-in strategy; serviceAccount is ours, which
    // extends it to client certificates.
    const expected = Object.fromEntries(
      [...builtIn].map(([key, strategy]) => [
        key,
        expect.any(
          key === 'serviceAccount'
            ? ServiceAccountOrClientCertificateStrategy
            : strategy.constructor,
        ),
      ]),
    );
    expect(Object.fromEntries(ours)).toEqual(expected);
  });
});
