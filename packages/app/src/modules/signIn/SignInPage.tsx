import {
  Progress,
  ProxiedSignInPage,
  SignInPage as ProvidersSignInPage,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { useEffect, useState } from 'react';

/**
 * The demo portal's sign-in: behind an authenticating proxy (the
 * `oauth2Proxy` provider, configured only where such a proxy stands in front
 * of the portal: the e2e overlay) the proxy's user is signed in at once;
 * everywhere else the guest sign-in is offered.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const discovery = useApi(discoveryApiRef);
  const [proxied, setProxied] = useState<boolean>();
  useEffect(() => {
    let live = true;
    (async () => {
      const base = await discovery.getBaseUrl('auth');
      const res = await fetch(`${base}/oauth2Proxy/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
        credentials: 'include',
      });
      if (live) setProxied(res.ok);
    })().catch(() => live && setProxied(false));
    return () => {
      live = false;
    };
  }, [discovery]);
  if (proxied === undefined) return <Progress />;
  return proxied ? (
    <ProxiedSignInPage {...props} provider="oauth2Proxy" />
  ) : (
    <ProvidersSignInPage {...props} providers={['guest']} />
  );
}

export const demoSignInPage = SignInPageBlueprint.make({
  params: { loader: async () => DemoSignInPage },
});
