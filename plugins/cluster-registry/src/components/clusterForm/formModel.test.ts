import { createClusterSchema } from '@cluster-registry/plugin-cluster-registry-common';
import {
  clusterUpdate,
  emptyConnection,
  emptyDetails,
  emptyEndpoint,
  emptyPrometheus,
  endpointRegistration,
  errorFor,
  errorsFromResponse,
  FormError,
  formsFromCluster,
  emptyServiceAccount,
  serviceAccountRequest,
  parseLabels,
} from './formModel';
import { cluster } from '../../__testUtils__/renderClusterPage';

describe('form model', () => {
  it('parses labels and reports a pair without "="', () => {
    expect(parseLabels('region=eu, tier = gold,')).toEqual({
      region: 'eu',
      tier: 'gold',
    });
    expect(parseLabels('region')).toEqual({
      error: 'write key=value pairs; "region" is not',
    });
  });

  it('builds a registration the shared rules accept', () => {
    const body = endpointRegistration(
      { ...emptyDetails, name: 'prod-eu-1', category: 'prod', labels: 'a=b' },
      { ...emptyEndpoint, serverUrl: ' https://10.0.0.1:6443 ', token: 't' },
      {
        ...emptyConnection,
        method: 'sshTunnel',
        sshHost: 'bastion',
        sshUsername: 'ops',
        sshPassword: 'pw',
      },
      {
        ...emptyPrometheus,
        enabled: true,
        url: 'http://prom:9090',
        authType: 'basic',
        username: 'u',
        password: 'p',
      },
      true,
    );
    expect(body).toMatchObject({
      name: 'prod-eu-1',
      labels: { a: 'b' },
      serverUrl: 'https://10.0.0.1:6443',
      auth: { type: 'bearerToken', token: 't' },
      connection: {
        method: 'sshTunnel',
        sshTunnel: { host: 'bastion', port: 22, username: 'ops' },
      },
      prometheus: { auth: { type: 'basic', username: 'u', password: 'p' } },
      skipVerification: true,
    });
    expect(createClusterSchema.safeParse(body).success).toBe(true);
    expect(() =>
      endpointRegistration(
        { ...emptyDetails, name: 'x', labels: 'oops' },
        emptyEndpoint,
        emptyConnection,
        emptyPrometheus,
        false,
      ),
    ).toThrow(FormError);
  });

  it('edits clear emptied fields and leave untouched secrets out', () => {
    const forms = formsFromCluster({
      ...cluster,
      prometheus: {
        url: 'https://prom:9090',
        auth: { type: 'basic', username: 'u', passwordSet: true },
        throughClusterConnection: false,
      },
    });
    expect(forms.prometheus).toMatchObject({
      enabled: true,
      authType: 'basic',
      username: 'u',
      password: '',
    });
    const update = clusterUpdate(
      cluster,
      { ...forms.details, description: '', category: '' },
      forms.tls,
      forms.connection,
      forms.prometheus,
      false,
    );
    expect(update).toMatchObject({ description: null, category: null });
    // Unchanged TLS and connection are left out: no re-verification needed.
    expect(update.tls).toBeUndefined();
    expect(update.connection).toBeUndefined();
    const moved = clusterUpdate(
      cluster,
      forms.details,
      { ...forms.tls, insecureSkipTlsVerify: false },
      { ...forms.connection, method: 'proxy', proxyUrl: 'http://proxy:3128' },
      forms.prometheus,
      false,
    );
    expect(moved.tls).toEqual({ insecureSkipTlsVerify: false });
    expect(moved.connection).toEqual({
      method: 'proxy',
      proxyUrl: 'http://proxy:3128',
    });
    expect(update.prometheus).toMatchObject({
      auth: { type: 'basic', username: 'u', password: undefined },
    });
  });

  it('puts backend messages next to their field', () => {
    const errors = errorsFromResponse({
      body: {
        error: {
          message:
            'auth: verification failed (unauthorized): 401; labels.Bad Key: label keys must be Kubernetes label keys',
          fields: [
            {
              field: 'auth',
              reason: 'verification failed (unauthorized): 401',
            },
            {
              field: 'labels.Bad Key',
              reason: 'label keys must be Kubernetes label keys',
            },
          ],
        },
      },
    });
    expect(errorFor(errors, 'auth.token', 'auth')).toBe(
      'verification failed (unauthorized): 401',
    );
    expect(errors['labels.Bad Key']).toBe(
      'label keys must be Kubernetes label keys',
    );
    expect(errorsFromResponse(new Error('boom'))).toEqual({ _: 'boom' });
    // The text alone is not parsed: without fields it is a general error.
    expect(
      errorsFromResponse({ body: { error: { message: 'auth: nope' } } }),
    ).toEqual({ _: 'auth: nope' });
  });
});

describe('serviceAccountRequest', () => {
  it('sends nothing unless chosen, hours as seconds, and an empty lifetime as the default', () => {
    expect(serviceAccountRequest(emptyServiceAccount)).toBeUndefined();
    const on = { ...emptyServiceAccount, enabled: true };
    expect(serviceAccountRequest(on)).toEqual({
      clusterRole: 'view',
      tokenLifetimeSeconds: 604_800,
    });
    expect(serviceAccountRequest({ ...on, tokenLifetimeHours: ' ' })).toEqual({
      clusterRole: 'view',
    });
    // Not a number goes to the rules, which name the field.
    const odd = serviceAccountRequest({ ...on, tokenLifetimeHours: 'soon' });
    expect(
      createClusterSchema.safeParse({
        name: 'x',
        serverUrl: 'https://10.0.0.1:6443',
        auth: { type: 'bearerToken', token: 't' },
        serviceAccount: odd,
      }).error?.issues[0].path,
    ).toEqual(['serviceAccount', 'tokenLifetimeSeconds']);
  });
});
