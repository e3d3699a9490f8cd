import {
  categoryNameSchema,
  clusterNameSchema,
  createClusterSchema,
  labelsSchema,
  ownerSchema,
  pemDataSchema,
  serverUrlSchema,
} from './schemas';

const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBazCCARGgAwIBAgIUE\n-----END CERTIFICATE-----';

describe('input rules', () => {
  it('names are DNS-1123 labels; categories at least 2 characters', () => {
    expect(clusterNameSchema.safeParse('prod-eu-1').success).toBe(true);
    for (const bad of ['Prod', '-a', 'a-', 'a_b', '', 'x'.repeat(64)]) {
      expect(clusterNameSchema.safeParse(bad).success).toBe(false);
    }
    const reserved = clusterNameSchema.safeParse('register');
    expect(reserved.success).toBe(false);
    expect(reserved.error?.issues[0].message).toBe(
      "'register' is reserved for a portal page",
    );
    expect(categoryNameSchema.safeParse('q').success).toBe(false);
    expect(categoryNameSchema.safeParse('qa').success).toBe(true);
  });

  it('accepts PEM or base64 PEM and normalises to base64', () => {
    const b64 = Buffer.from(`${PEM}\n`).toString('base64');
    expect(pemDataSchema.parse(PEM)).toBe(b64);
    expect(pemDataSchema.parse(b64)).toBe(b64);
    expect(pemDataSchema.safeParse('not pem').success).toBe(false);
    expect(
      pemDataSchema.safeParse(Buffer.from('hello').toString('base64')).success,
    ).toBe(false);
  });

  it('server URLs are https without credentials, query or fragment', () => {
    expect(serverUrlSchema.safeParse('https://10.0.0.1:6443').success).toBe(
      true,
    );
    expect(serverUrlSchema.safeParse('http://10.0.0.1:6443').success).toBe(
      false,
    );
    expect(serverUrlSchema.safeParse('https://u:p@10.0.0.1').success).toBe(
      false,
    );
    expect(serverUrlSchema.safeParse('https://10.0.0.1/?token=x').success).toBe(
      false,
    );
    expect(serverUrlSchema.safeParse('10.0.0.1').success).toBe(false);
  });

  it('labels and owners follow Kubernetes and catalog rules', () => {
    expect(
      labelsSchema.safeParse({ region: 'eu', 'example.com/tier': 'gold' })
        .success,
    ).toBe(true);
    expect(labelsSchema.safeParse({ 'bad key': 'x' }).success).toBe(false);
    expect(labelsSchema.safeParse({ k: 'bad value!' }).success).toBe(false);
    expect(ownerSchema.safeParse('group:default/platform').success).toBe(true);
    expect(ownerSchema.safeParse('component:default/x').success).toBe(false);
    // Stored as the catalog writes ownership claims, for the is-owner rule.
    expect(ownerSchema.parse('Group:QA')).toBe('group:default/qa');
    expect(ownerSchema.parse('user:team-x/Ann')).toBe('user:team-x/ann');
  });

  it('isolated clusters take no endpoint; others need server URL and auth', () => {
    expect(
      createClusterSchema.parse({ name: 'air', isolated: true }),
    ).toMatchObject({ isolated: true, labels: {} });
    const issues = createClusterSchema
      .safeParse({ name: 'x' })
      .error!.issues.map(i => i.path.join('.'));
    expect(issues).toEqual(['serverUrl', 'auth']);
    expect(
      createClusterSchema.safeParse({
        name: 'x',
        isolated: true,
        serverUrl: 'https://a',
      }).success,
    ).toBe(false);
    expect(
      createClusterSchema.safeParse({ name: 'x', isolated: true, extra: 1 })
        .success,
    ).toBe(false);
  });
});
