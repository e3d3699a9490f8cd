/**
 * A corpus of hostile requests against the cluster registry, written the way
 * an attacker with registration rights would probe it. Each case says what
 * must come back: a 4xx naming the field (or the documented success). The
 * runner (hostile.integration.test.ts) also checks, for every case, that no
 * answer is a 5xx or slower than 10 s, that the event loop never stalls over
 * 100 ms, that nothing partial is stored, and that no secret appears in any
 * answer, log line, catalog entity or Kubernetes plugin answer.
 */

export interface HostileContext {
  /** A real API server on loopback, and its CA (base64 PEM). */
  serverUrl: string;
  caData: string;
  /** A file whose content must never leave the backend host. */
  canaryFile: string;
  /** A file no request may create (a program run on the backend host would). */
  markerFile: string;
  /** A secret the attacker's own requests carry; never to be echoed. */
  secret: string;
  /** An https URL on loopback that accepts connections and never answers. */
  tarpitUrl: string;
  /** An http URL on loopback that answers one byte every half second, forever. */
  trickleUrl: string;
}

export interface HostileCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** JSON body, or raw bytes with a content type. */
  body?: unknown;
  raw?: { data: string | Buffer; contentType?: string; encoding?: string };
  headers?: Record<string, string>;
  /** The expected status (any of). */
  status: number | number[];
  /** The field the error message must name (`field: reason`). */
  field?: string;
  /** For 200 answers of kubeconfig routes: what each context must say. */
  check?: (body: any) => void;
}

const API = '/api/cluster-registry';

/** A billion-laughs document: each level refers nine times to the one before. */
function aliasBomb(target: 'current-context' | 'cluster' | 'user'): string {
  const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const lines = [
    `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`,
  ];
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1];
    lines.push(
      `${levels[i]}: &${levels[i]} [${Array(9).fill(`*${prev}`).join(',')}]`,
    );
  }
  const bomb = '*i';
  const refs = {
    'current-context': { cc: bomb, cluster: 'c', user: 'u' },
    cluster: { cc: 'x', cluster: bomb, user: 'u' },
    user: { cc: 'x', cluster: 'c', user: bomb },
  };
  const ctx = refs[target];
  return `${lines.join('\n')}
apiVersion: v1
kind: Config
current-context: ${ctx.cc}
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: ${ctx.cluster}, user: ${ctx.user}}}]
`;
}

/** A kubeconfig with one context whose user is `user` (YAML flow mapping). */
function kubeconfig(
  ctx: HostileContext,
  user: string,
  cluster = `{server: "${ctx.serverUrl}", certificate-authority-data: "${ctx.caData}"}`,
  contextName = 'ctx',
): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: ${cluster}}]
users: [{name: u, user: ${user}}]
contexts: [{name: ${contextName}, context: {cluster: c, user: u}}]
`;
}

/** Both inspect and import of a kubeconfig whose only context must be refused. */
function unusableKubeconfig(
  name: string,
  text: string,
  reason: RegExp,
): HostileCase[] {
  return [
    {
      name: `inspect: ${name}`,
      method: 'POST',
      path: `${API}/kubeconfig/inspect`,
      body: { kubeconfig: text },
      status: 200,
      check: body => {
        expect(body.contexts).toHaveLength(1);
        expect(body.contexts[0].usable).toBe(false);
        expect(body.contexts[0].reason).toMatch(reason);
      },
    },
    {
      name: `import (verification off): ${name}`,
      method: 'POST',
      path: `${API}/kubeconfig/import`,
      body: {
        kubeconfig: text,
        contexts: [{ context: 'ctx', name: 'hostile-import' }],
        skipVerification: true,
      },
      status: 200,
      check: body => {
        expect(body.results).toEqual([
          expect.objectContaining({ status: 'failed' }),
        ]);
        expect(body.results[0].error.message).toMatch(/^context: /);
      },
    },
  ];
}

export function hostileCases(ctx: HostileContext): HostileCase[] {
  const cluster = (extra: object = {}) => ({
    name: 'hostile-x',
    serverUrl: ctx.serverUrl,
    auth: { type: 'bearerToken', token: ctx.secret },
    tls: { caData: ctx.caData },
    skipVerification: true,
    ...extra,
  });
  const create = (
    name: string,
    body: unknown,
    field: string,
    status: number | number[] = 400,
  ): HostileCase => ({
    name,
    method: 'POST',
    path: `${API}/clusters`,
    body,
    status,
    field,
  });

  const metadataUrls = [
    'https://169.254.169.254',
    'https://2852039166',
    'https://0xa9fea9fe',
    'https://0251.0376.0251.0376',
    'https://169.254.169.254.',
    'https://[::ffff:169.254.169.254]',
    'https://[::ffff:a9fe:a9fe]',
    'https://[64:ff9b::a9fe:a9fe]',
    'https://[2002:a9fe:a9fe::]',
    'https://[fe80::1%25eth0]',
    'https://metadata.google.internal',
    'https://metadata.google.internal.',
    'https://100.100.100.200',
    'https://[fd00:ec2::254]',
    'https://0.0.0.0:6443',
    'https://%31%36%39.254.169.254',
  ];
  const badUrls: Array<[string, string]> = [
    [' https://127.0.0.1:6443', 'leading space'],
    ['\thttps://127.0.0.1:6443', 'leading tab'],
    ['https://127.0.0.1:6443\r\nX-Injected: 1', 'CR/LF inside'],
    ['https://127.0.0.1:6443\n', 'trailing newline'],
    ['https://127.0.0.1:6443 ', 'trailing space'],
    ['https://user:pass@127.0.0.1:6443', 'credentials'],
    ['https://@127.0.0.1:6443', 'empty credentials'],
    ['https:\\\\127.0.0.1:6443', 'backslashes'],
    ['https:127.0.0.1:6443', 'no slashes'],
    ['http://127.0.0.1:6443', 'plain http'],
    ['file:///etc/passwd', 'file URL'],
    // eslint-disable-next-line no-script-url
    ['javascript:alert(1)', 'javascript URL'],
    ['gopher://127.0.0.1:6379/_INFO', 'gopher'],
    ['https://127.0.0.1:6443/?x=1', 'query'],
    ['https://127.0.0.1:6443/#f', 'fragment'],
    [`https://${'a'.repeat(3000)}.com`, 'too long'],
    ['https://127.0.0.1:99999', 'bad port'],
    ['https://\u200b127.0.0.1', 'zero-width space'],
    ['', 'empty'],
  ];
  const badTokens: Array<[string, string]> = [
    [`${ctx.secret}\r\nX-Injected: 1`, 'CR/LF'],
    [`${ctx.secret}\n`, 'trailing LF'],
    [`${ctx.secret}é`, 'Latin-1'],
    [`${ctx.secret}\u2028`, 'line separator'],
    [`${ctx.secret}😀`, 'emoji'],
    [`${ctx.secret} x`, 'space'],
    [`${ctx.secret}\u0000`, 'NUL'],
  ];

  const cases: HostileCase[] = [];

  // ── names ───────────────────────────────────────────────────────────────
  for (const [name, label] of [
    ['a'.repeat(64), 'over 63 characters'],
    ['Prod', 'upper case'],
    ['prod_eu', 'underscore'],
    ['-prod', 'leading dash'],
    ['прод', 'Cyrillic'],
    ['register', 'reserved page name'],
    ['../../etc/passwd', 'path traversal'],
    ['a\u0000b', 'NUL'],
    ['', 'empty'],
    ['x'.repeat(1_500_000), '1.5 MB'],
  ] as const) {
    cases.push(create(`name: ${label}`, cluster({ name }), 'name'));
  }
  for (const [value, label] of [
    [42, 'number'],
    [null, 'null'],
    [['a'], 'list'],
    [{ $gt: '' }, 'object'],
    [true, 'boolean'],
  ] as const) {
    cases.push(create(`name is a ${label}`, cluster({ name: value }), 'name'));
  }

  // ── a minted ServiceAccount ─────────────────────────────────────────────
  for (const [serviceAccount, field, label] of [
    [
      { clusterRole: '../../secrets' },
      'serviceAccount.clusterRole',
      'a path for a ClusterRole',
    ],
    [
      { clusterRole: 'x'.repeat(300) },
      'serviceAccount.clusterRole',
      'a 300-character ClusterRole',
    ],
    [
      { namespace: 'kube-system/../x' },
      'serviceAccount.namespace',
      'a path for a namespace',
    ],
    [
      { tokenLifetimeSeconds: 1 },
      'serviceAccount.tokenLifetimeSeconds',
      'a lifetime under the minimum',
    ],
    [
      { tokenLifetimeSeconds: 1e300 },
      'serviceAccount.tokenLifetimeSeconds',
      'a lifetime of 1e300',
    ],
    [
      { tokenLifetimeSeconds: '600' },
      'serviceAccount.tokenLifetimeSeconds',
      'a lifetime as text',
    ],
    [{ expirationSeconds: 600 }, 'serviceAccount', 'an unknown key'],
    ['view', 'serviceAccount', 'a string'],
  ] as const) {
    cases.push(
      create(`serviceAccount: ${label}`, cluster({ serviceAccount }), field),
    );
  }
  cases.push(
    create(
      'serviceAccount of an isolated cluster',
      { name: 'air', isolated: true, serviceAccount: {} },
      'serviceAccount',
    ),
    {
      name: 'remove the ServiceAccount of a missing cluster',
      method: 'POST',
      path: `${API}/clusters/nope/service-account/remove`,
      body: { auth: { type: 'bearerToken', token: ctx.secret } },
      status: 404,
    },
    {
      name: 'remove a ServiceAccount the registry did not create',
      method: 'POST',
      path: `${API}/clusters/hostile-ok/service-account/remove`,
      body: { auth: { type: 'bearerToken', token: ctx.secret } },
      status: 400,
      field: 'name',
    },
    {
      name: 'remove a ServiceAccount without a credential',
      method: 'POST',
      path: `${API}/clusters/hostile-ok/service-account/remove`,
      body: {},
      status: 400,
      field: 'auth',
    },
    {
      name: 'remove a ServiceAccount with form data',
      method: 'POST',
      path: `${API}/clusters/hostile-ok/service-account/remove`,
      raw: { data: 'auth=x', contentType: 'application/x-www-form-urlencoded' },
      status: 415,
    },
  );

  // ── JSON shapes and sizes ───────────────────────────────────────────────
  cases.push(
    create('body is a list', [cluster()], 'body'),
    {
      name: 'body is a JSON string',
      method: 'POST',
      path: `${API}/clusters`,
      raw: { data: '"cluster"', contentType: 'application/json' },
      status: 400,
      field: 'body',
    },
    create('body is null', null, 'body'),
    create('unknown field', cluster({ admin: true }), 'body'),
    create(
      'isolated with a server URL',
      cluster({ isolated: true }),
      'serverUrl',
    ),
    {
      name: 'labels nested 5,000 deep',
      method: 'POST',
      path: `${API}/clusters`,
      raw: {
        data: JSON.stringify(cluster()).replace(
          /}$/,
          `,"labels":${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}}`,
        ),
        contentType: 'application/json',
      },
      status: 400,
      field: 'body',
    },
    create(
      '100,000 unknown fields',
      Object.fromEntries(
        Array.from({ length: 100_000 }, (_, i) => [`f${i}`, i]),
      ),
      'body',
    ),
    create(
      'auth type unknown',
      cluster({ auth: { type: 'exec', command: 'sh' } }),
      'auth',
    ),
    create(
      'tls.insecureSkipTlsVerify as a string',
      cluster({ tls: { insecureSkipTlsVerify: 'yes' } }),
      'tls',
    ),
    create(
      'caData is not PEM',
      cluster({ tls: { caData: 'bm90IHBlbQ==' } }),
      'tls',
    ),
    create(
      'owner is not an entity ref',
      cluster({ owner: 'x'.repeat(10_000) }),
      'owner',
    ),
    create(
      'ssh tunnel without password or key',
      cluster({
        connection: {
          method: 'sshTunnel',
          sshTunnel: { host: 'bastion.example.com', username: 'u' },
        },
      }),
      'connection',
    ),
  );
  cases.push({
    name: 'prototype pollution (__proto__)',
    method: 'POST',
    path: `${API}/clusters`,
    raw: {
      data: `{"__proto__":{"isolated":true,"polluted":true},"name":"hostile-proto","isolated":false}`,
      contentType: 'application/json',
    },
    status: 400,
    field: 'serverUrl',
  });
  cases.push({
    name: 'prototype pollution (constructor.prototype)',
    method: 'POST',
    path: `${API}/clusters`,
    body: { ...cluster(), constructor: { prototype: { polluted: true } } },
    status: 400,
    field: 'body',
  });
  cases.push({
    name: 'body over 2 MB',
    method: 'POST',
    path: `${API}/clusters`,
    raw: {
      data: JSON.stringify(cluster({ description: 'x'.repeat(3_000_000) })),
      contentType: 'application/json',
    },
    status: 413,
    field: 'body',
  });
  for (const [raw, label] of [
    [
      `{"name":"hostile-y","auth":{"type":"bearerToken","token":"${ctx.secret}"`,
      'truncated',
    ],
    [`{"auth":{"token":"${ctx.secret}"},}`, 'trailing comma'],
    [`{'token':'${ctx.secret}'}`, 'single quotes'],
    [`{"token":"${ctx.secret}" "x"}`, 'missing comma'],
    [`${ctx.secret}`, 'bare word'],
    [`"${ctx.secret}"`, 'a JSON string at top level'],
  ]) {
    cases.push({
      name: `invalid JSON (${label}) never quotes the body`,
      method: 'POST',
      path: `${API}/clusters`,
      raw: { data: raw, contentType: 'application/json' },
      status: 400,
      field: 'body',
    });
  }
  for (const [contentType, label] of [
    ['application/json; charset=utf-7', 'UTF-7'],
    ['application/json; charset=iso-8859-1', 'Latin-1'],
    ['application/json; charset=utf-16', 'UTF-16'],
    ['text/plain', 'text/plain'],
    ['application/x-www-form-urlencoded', 'a form'],
    ['multipart/form-data; boundary=x', 'multipart'],
    ['application/xml', 'XML'],
    ['', 'no content type'],
  ]) {
    cases.push({
      name: `body as ${label} is a 415`,
      method: 'POST',
      path: `${API}/clusters`,
      raw: {
        data: JSON.stringify(cluster({ name: 'hostile-charset' })),
        contentType,
      },
      status: 415,
      field: 'body',
    });
  }
  cases.push({
    name: 'gzip-encoded body is a 415',
    method: 'POST',
    path: `${API}/clusters`,
    raw: {
      data: require('node:zlib').gzipSync(JSON.stringify(cluster())),
      contentType: 'application/json',
      encoding: 'gzip',
    },
    status: 415,
    field: 'body',
  });

  // ── URLs in every notation ──────────────────────────────────────────────
  for (const url of metadataUrls) {
    cases.push(
      create(`server URL ${url}`, cluster({ serverUrl: url }), 'serverUrl'),
    );
    cases.push({
      name: `verify ${url}`,
      method: 'POST',
      path: `${API}/verify`,
      body: { ...cluster({ serverUrl: url }), skipVerification: undefined },
      status: 400,
      field: 'serverUrl',
    });
  }
  for (const [url, label] of badUrls) {
    cases.push(
      create(
        `server URL with ${label}`,
        cluster({ serverUrl: url }),
        'serverUrl',
      ),
    );
  }
  for (const url of [
    'http://169.254.169.254/',
    'http://[::ffff:169.254.169.254]/',
    'http://metadata.google.internal./computeMetadata/v1/',
    'http://0xa9fea9fe/latest/meta-data/',
  ]) {
    cases.push({
      name: `Prometheus test of ${url}`,
      method: 'POST',
      path: `${API}/prometheus/test`,
      body: { url },
      status: 400,
      field: 'url',
    });
    cases.push(
      create(
        `Prometheus URL ${url}`,
        cluster({ prometheus: { url } }),
        'prometheus.url',
      ),
    );
  }
  cases.push(
    create(
      'proxy URL on the metadata address',
      cluster({
        connection: {
          method: 'proxy',
          proxyUrl: 'http://[::ffff:a9fe:a9fe]:3128',
        },
      }),
      'connection.proxyUrl',
    ),
    create(
      'proxy URL with credentials',
      cluster({
        connection: { method: 'proxy', proxyUrl: 'http://u:p@127.0.0.1:3128' },
      }),
      'connection.proxyUrl',
    ),
  );
  for (const host of [
    '169.254.169.254',
    'metadata.google.internal.',
    '[::ffff:169.254.169.254]',
    'bastion.example.com\r\n',
    '-oProxyCommand=touch /tmp/x',
    'a'.repeat(300),
  ]) {
    cases.push(
      create(
        `SSH host ${JSON.stringify(host.slice(0, 40))}`,
        cluster({
          connection: {
            method: 'sshTunnel',
            sshTunnel: { host, username: 'u', password: ctx.secret },
          },
        }),
        'connection.sshTunnel.host',
      ),
    );
  }

  // ── credentials that cannot go into a header ───────────────────────────
  for (const [token, label] of badTokens) {
    cases.push(
      create(
        `token with ${label}`,
        cluster({ auth: { type: 'bearerToken', token } }),
        'auth.token',
      ),
      {
        name: `verify a token with ${label}`,
        method: 'POST',
        path: `${API}/verify`,
        body: {
          ...cluster({ auth: { type: 'bearerToken', token } }),
          skipVerification: undefined,
        },
        status: 400,
        field: 'auth.token',
      },
      {
        name: `rotate to a token with ${label}`,
        method: 'PUT',
        path: `${API}/clusters/hostile-ok/credentials`,
        body: { auth: { type: 'bearerToken', token }, skipVerification: true },
        status: 400,
        field: 'auth.token',
      },
    );
  }
  cases.push(
    create(
      'Prometheus user name with a colon',
      cluster({
        prometheus: {
          url: 'http://127.0.0.1:9090',
          auth: { type: 'basic', username: 'a:b', password: ctx.secret },
        },
      }),
      'prometheus.auth.username',
    ),
    create(
      'AWS cluster id with a path',
      cluster({ auth: { type: 'aws', clusterId: '../../x' } }),
      'auth.clusterId',
    ),
  );

  // ── labels ──────────────────────────────────────────────────────────────
  for (const [key, label] of [
    [`${'a'.repeat(254)}/x`, 'prefix over 253 characters'],
    [`${'a'.repeat(64)}.example.com/x`, 'DNS label over 63 in the prefix'],
    [`example.com/${'a'.repeat(64)}`, 'name over 63 characters'],
    ['/x', 'empty prefix'],
    ['example.com/', 'empty name'],
    ['Example.com/x', 'upper-case prefix'],
    ['a b', 'space'],
    ['', 'empty key'],
    ['a'.repeat(100_000), '100,000 characters'],
  ]) {
    cases.push(
      create(
        `label key with ${label}`,
        cluster({ labels: { [key]: 'v' } }),
        'labels',
      ),
    );
  }
  cases.push(
    create(
      'label value over 63',
      cluster({ labels: { a: 'v'.repeat(64) } }),
      'labels',
    ),
  );

  // ── kubeconfigs ─────────────────────────────────────────────────────────
  cases.push(
    ...unusableKubeconfig(
      'token-file naming a host file',
      kubeconfig(ctx, `{token-file: "${ctx.canaryFile}"}`),
      /file/,
    ),
    ...unusableKubeconfig(
      'token-file naming a missing file',
      kubeconfig(ctx, '{token-file: "/nonexistent/secret-token"}'),
      /file/,
    ),
    ...unusableKubeconfig(
      'tokenFile (camel case)',
      kubeconfig(ctx, `{tokenFile: "${ctx.canaryFile}"}`),
      /file/,
    ),
    ...unusableKubeconfig(
      'token-file next to an inline token',
      kubeconfig(
        ctx,
        `{token: "${ctx.secret}", token-file: "${ctx.canaryFile}"}`,
      ),
      /file/,
    ),
    ...unusableKubeconfig(
      'client certificate and key files',
      kubeconfig(
        ctx,
        `{client-certificate: "${ctx.canaryFile}", client-key: "/etc/passwd"}`,
      ),
      /file/,
    ),
    ...unusableKubeconfig(
      'certificate-authority file',
      kubeconfig(
        ctx,
        `{token: "${ctx.secret}"}`,
        `{server: "${ctx.serverUrl}", certificate-authority: "${ctx.canaryFile}"}`,
      ),
      /file/,
    ),
    ...unusableKubeconfig(
      'exec plugin that would create a file',
      kubeconfig(
        ctx,
        `{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: ["-c", "touch ${ctx.markerFile}"]}}`,
      ),
      /never runs programs/,
    ),
    ...unusableKubeconfig(
      'auth provider',
      kubeconfig(
        ctx,
        '{auth-provider: {name: oidc, config: {idp-issuer-url: "http://169.254.169.254"}}}',
      ),
      /interactive login/,
    ),
    ...unusableKubeconfig(
      'server on the metadata address',
      kubeconfig(
        ctx,
        `{token: "${ctx.secret}"}`,
        '{server: "https://[::ffff:a9fe:a9fe]"}',
      ),
      /address policy/,
    ),
    ...unusableKubeconfig(
      'server with a trailing newline',
      kubeconfig(
        ctx,
        `{token: "${ctx.secret}"}`,
        `{server: "${ctx.serverUrl}\\n"}`,
      ),
      /spaces/,
    ),
    ...unusableKubeconfig(
      'server over plain http',
      kubeconfig(
        ctx,
        `{token: "${ctx.secret}"}`,
        '{server: "http://127.0.0.1:8080"}',
      ),
      /https/,
    ),
  );
  cases.push(
    ...unusableKubeconfig(
      'a token that cannot go into a header',
      kubeconfig(ctx, `{token: "${ctx.secret}\\r\\nX: 1"}`),
      /HTTP header/,
    ),
  );
  for (const target of ['current-context', 'cluster', 'user'] as const) {
    for (const route of ['inspect', 'import'] as const) {
      cases.push({
        name: `YAML alias bomb in ${target} (${route})`,
        method: 'POST',
        path: `${API}/kubeconfig/${route}`,
        body: {
          kubeconfig: aliasBomb(target),
          ...(route === 'import' ? { contexts: [{ context: 'x' }] } : {}),
        },
        status: 400,
        field: 'kubeconfig',
      });
    }
  }
  const inspect = (
    name: string,
    text: string,
    field = 'kubeconfig',
  ): HostileCase => ({
    name: `inspect: ${name}`,
    method: 'POST',
    path: `${API}/kubeconfig/inspect`,
    body: { kubeconfig: text },
    status: 400,
    field,
  });
  cases.push(
    inspect(
      'context name is a number',
      kubeconfig(ctx, '{token: t}', undefined, '42'),
    ),
    inspect(
      'context name is a list',
      kubeconfig(ctx, '{token: t}', undefined, '[a, b]'),
    ),
    inspect(
      'context name is a mapping',
      kubeconfig(ctx, '{token: t}', undefined, '{a: b}'),
    ),
    inspect(
      'context name is null',
      kubeconfig(ctx, '{token: t}', undefined, '~'),
    ),
    inspect('token is a number', kubeconfig(ctx, '{token: 12345}')),
    inspect(
      'clusters is a mapping',
      'clusters: {a: b}\ncontexts: [{name: x, context: {cluster: a, user: b}}]\n',
    ),
    inspect(
      'a custom tag (!!js/function)',
      `current-context: !!js/function "function(){}"\ncontexts: []\n`,
    ),
    inspect('a local tag', `current-context: !pwn x\ncontexts: []\n`),
    inspect('a YAML list', '- a\n- b\n'),
    inspect('a YAML scalar', 'just text\n'),
    inspect('no contexts', 'apiVersion: v1\nclusters: []\n'),
    inspect('duplicate keys', 'a: 1\na: 2\n'),
    inspect(
      '5,000 contexts',
      `contexts:\n${Array.from(
        { length: 5000 },
        (_, i) => `- {name: c${i}, context: {cluster: c, user: u}}`,
      ).join('\n')}\n`,
    ),
    inspect('1.9 MB of nested flow sequences', '['.repeat(1_900_000)),
    inspect(
      'an alias repeating a 1.9 MB string 99 times',
      `x: &a "${'a'.repeat(1_900_000)}"\ny: [${Array(99)
        .fill('*a')
        .join(', ')}]\ncontexts: []\n`,
    ),
    inspect(
      'a 20 KB token',
      kubeconfig(ctx, `{token: "${'t'.repeat(20_000)}"}`),
    ),
    {
      name: 'inspect: 1,000 contexts naming one user with a 16,000-character token',
      method: 'POST',
      path: `${API}/kubeconfig/inspect`,
      body: {
        kubeconfig: `clusters: [{name: c, cluster: {server: "${
          ctx.serverUrl
        }"}}]
users: [{name: u, user: {token: "${'t'.repeat(16_000)}"}}]
contexts:
${Array.from(
  { length: 1000 },
  (_, i) => `- {name: c${i}, context: {cluster: c, user: u}}`,
).join('\n')}
`,
      },
      status: 200,
      check: body => expect(body.contexts).toHaveLength(1000),
    },
    inspect(
      'a syntax error next to a token',
      `users:\n- name: u\n  user: {token: "${ctx.secret}"\n  bad: [\n`,
    ),
    inspect('not a string', 42 as unknown as string),
    {
      name: 'inspect: a kubeconfig in JSON (valid YAML) is read',
      method: 'POST',
      path: `${API}/kubeconfig/inspect`,
      body: {
        kubeconfig: JSON.stringify({
          clusters: [
            {
              name: 'c',
              cluster: {
                server: ctx.serverUrl,
                'certificate-authority-data': ctx.caData,
              },
            },
          ],
          users: [{ name: 'u', user: { token: 'abc' } }],
          contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        }),
      },
      status: 200,
      check: body => expect(body.contexts[0].usable).toBe(true),
    },
    {
      name: 'import: a context that is not in the kubeconfig',
      method: 'POST',
      path: `${API}/kubeconfig/import`,
      body: {
        kubeconfig: kubeconfig(ctx, `{token: "${ctx.secret}"}`),
        contexts: [{ context: 'nope', name: 'hostile-nope' }],
        skipVerification: true,
      },
      status: 200,
      check: body =>
        expect(body.results[0].error.message).toMatch(/^context: /),
    },
    {
      name: 'rotate from a kubeconfig whose user reads a file',
      method: 'PUT',
      path: `${API}/clusters/hostile-ok/credentials`,
      body: {
        kubeconfig: kubeconfig(ctx, `{token-file: "${ctx.canaryFile}"}`),
        context: 'ctx',
        skipVerification: true,
      },
      status: 400,
      field: 'context',
    },
    {
      name: 'rotate from an alias bomb',
      method: 'PUT',
      path: `${API}/clusters/hostile-ok/credentials`,
      body: {
        kubeconfig: aliasBomb('user'),
        context: 'x',
        skipVerification: true,
      },
      status: 400,
      field: 'kubeconfig',
    },
  );

  // ── stored secrets never follow a changed destination ──────────────────
  cases.push({
    name: 'move the Prometheus URL elsewhere keeping the stored password',
    method: 'PATCH',
    path: `${API}/clusters/hostile-ok`,
    body: {
      prometheus: {
        url: 'http://127.0.0.2:9',
        auth: { type: 'basic', username: 'u' },
      },
    },
    status: 400,
    field: 'prometheus.auth.password',
  });

  // ── categories ──────────────────────────────────────────────────────────
  cases.push(
    {
      name: 'delete a category reassigning to a missing one',
      method: 'DELETE',
      path: `${API}/categories/prod?reassignTo=missing`,
      status: 400,
      field: 'reassignTo',
    },
    {
      name: 'delete a category with reassignTo and clear',
      method: 'DELETE',
      path: `${API}/categories/prod?reassignTo=qa&clear=true`,
      status: 400,
      field: 'reassignTo',
    },
    {
      name: 'delete a missing category',
      method: 'DELETE',
      path: `${API}/categories/nope`,
      status: 404,
      field: 'name',
    },
    {
      name: 'create a duplicate category',
      method: 'POST',
      path: `${API}/categories`,
      body: { name: 'prod' },
      status: 409,
      field: 'name',
    },
    {
      name: 'category colour that is CSS',
      method: 'POST',
      path: `${API}/categories`,
      body: { name: 'css', color: 'red;background:url(x)' },
      status: 400,
      field: 'color',
    },
    {
      name: 'cluster in a missing category',
      method: 'POST',
      path: `${API}/clusters`,
      body: cluster({ name: 'hostile-cat', category: 'missing' }),
      status: 400,
      field: 'category',
    },
  );

  // ── servers that never answer: every answer still comes within 10 s ─────
  cases.push(
    {
      name: 'verify a server that never answers',
      method: 'POST',
      path: `${API}/verify`,
      body: {
        ...cluster({ serverUrl: ctx.tarpitUrl }),
        skipVerification: undefined,
      },
      status: 200,
      check: body => {
        expect(body.ok).toBe(false);
        expect(body.reason).toBe('timeout');
        expect(body.field).toBe('serverUrl');
      },
    },
    create(
      'register a server that never answers',
      { ...cluster({ serverUrl: ctx.tarpitUrl }), skipVerification: false },
      'serverUrl',
    ),
    {
      name: 'import 30 contexts of servers that never answer',
      method: 'POST',
      path: `${API}/kubeconfig/import`,
      body: {
        kubeconfig: kubeconfig(
          ctx,
          `{token: "${ctx.secret}"}`,
          `{server: "${ctx.tarpitUrl}"}`,
        ),
        contexts: Array.from({ length: 30 }, (_, i) => ({
          context: 'ctx',
          name: `hostile-tarpit-${i}`,
        })),
      },
      status: 200,
      check: body => {
        expect(body.results).toHaveLength(30);
        for (const r of body.results) expect(r.status).toBe('failed');
      },
    },
    {
      name: 'Prometheus test of a server that trickles forever',
      method: 'POST',
      path: `${API}/prometheus/test`,
      body: { url: ctx.trickleUrl },
      status: 200,
      check: body => expect(body.ok).toBe(false),
    },
  );

  // ── query strings, paths, methods ───────────────────────────────────────
  for (const [query, field] of [
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1e9', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['category[x]=y', 'category'],
    ['state=bogus', 'state'],
    [`q=${'x'.repeat(201)}`, 'q'],
    ['unknown=1', 'unknown'],
  ]) {
    cases.push({
      name: `list with ${query.slice(0, 30)}`,
      method: 'GET',
      path: `${API}/clusters?${query}`,
      status: 400,
      field,
    });
  }
  for (const path of [
    `${API}/clusters/%00`,
    `${API}/clusters/..%2f..%2fetc%2fpasswd`,
    `${API}/clusters/${'a'.repeat(300)}`,
    `${API}/clusters/nope`,
  ]) {
    cases.push({
      name: `get ${path.slice(0, 60)}`,
      method: 'GET',
      path,
      status: [400, 404],
    });
  }
  cases.push(
    {
      name: 'refresh a missing cluster',
      method: 'POST',
      path: `${API}/clusters/nope/refresh`,
      status: 404,
      field: 'name',
    },
    {
      name: 'delete a missing cluster',
      method: 'DELETE',
      path: `${API}/clusters/nope`,
      status: 404,
      field: 'name',
    },
    {
      name: 'PUT on the collection',
      method: 'PUT',
      path: `${API}/clusters`,
      body: {},
      status: [404, 405],
    },
    {
      name: 'DELETE on the collection',
      method: 'DELETE',
      path: `${API}/clusters`,
      status: [404, 405],
    },
    {
      name: 'rename through PATCH',
      method: 'PATCH',
      path: `${API}/clusters/hostile-ok`,
      body: { name: 'other' },
      status: 400,
      field: 'name',
    },
    {
      name: 'an invalid user token',
      method: 'GET',
      path: `${API}/clusters`,
      headers: { authorization: 'Bearer not-a-real-token' },
      status: 401,
    },
    {
      name: 'credentials route as a user',
      method: 'GET',
      path: `${API}/internal/connections`,
      status: [401, 403],
    },
    {
      name: 'one connection as a user',
      method: 'GET',
      path: `${API}/internal/connections/hostile-ok`,
      status: [401, 403],
    },
    {
      name: 'one connection by a traversing name',
      method: 'GET',
      path: `${API}/internal/connections/..%2F..%2Fclusters`,
      status: [400, 401, 403, 404],
    },
  );

  // ── insight and metrics: read-only, but they dial the cluster ──────────
  const metrics = (name: string, body: unknown, field: string, status = 400) =>
    ({
      name: `metrics query: ${name}`,
      method: 'POST',
      path: `${API}/clusters/hostile-ok/metrics/query`,
      body,
      status,
      field,
    } as HostileCase);
  cases.push(
    {
      name: 'insight of a stored cluster',
      method: 'GET',
      path: `${API}/clusters/hostile-ok/insight`,
      status: 200,
    },
    {
      name: 'insight of no cluster',
      method: 'GET',
      path: `${API}/clusters/nope/insight`,
      status: 404,
    },
    {
      name: 'events with limit 0',
      method: 'GET',
      path: `${API}/clusters/hostile-ok/events?limit=0`,
      status: 400,
      field: 'limit',
    },
    {
      name: 'events with a field selector of its own',
      method: 'GET',
      path: `${API}/clusters/hostile-ok/events?type=${encodeURIComponent(
        'Warning,involvedObject.name=x',
      )}`,
      status: 400,
      field: 'type',
    },
    metrics(
      'PromQL in the namespace',
      {
        queries: ['workload.cpu'],
        params: { namespace: 'shop"} or vector(1) or up{a="', workload: 'w' },
      },
      'params.namespace',
    ),
    metrics('an unknown query id', { queries: ['__proto__'] }, 'queries.0'),
    metrics('PromQL as a query id', { queries: ['sum(up)'] }, 'queries.0'),
    metrics(
      'a start that is no time',
      { queries: ['nodes.total'], range: { start: 'yesterday', end: 'now' } },
      'range.start',
    ),
    metrics(
      'a year of range',
      {
        queries: ['nodes.total'],
        range: { start: '2025-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
      },
      'range',
    ),
    {
      name: 'raw PromQL while it is off',
      method: 'POST',
      path: `${API}/clusters/hostile-ok/metrics/raw`,
      body: { query: 'count({__name__=~".+"})' },
      status: 404,
    },
    {
      name: 'entity metrics of a path as entity ref',
      method: 'POST',
      path: `${API}/entity-metrics/query`,
      body: { entityRef: '../../etc/passwd' },
      status: 400,
      field: 'entityRef',
    },
    {
      name: 'entity metrics of a missing entity',
      method: 'POST',
      path: `${API}/entity-metrics/query`,
      body: { entityRef: 'component:default/no-such-entity' },
      status: 404,
    },
    {
      name: 'health trends of 501 clusters',
      method: 'GET',
      path: `${API}/health-trends?${Array.from(
        { length: 501 },
        (_, i) => `cluster=c${i}`,
      ).join('&')}`,
      status: 400,
      field: 'cluster',
    },
    {
      name: 'health trends of a name that is no cluster name',
      method: 'GET',
      path: `${API}/health-trends?cluster=${encodeURIComponent(
        "x' OR 1=1 --",
      )}`,
      status: 400,
      field: 'cluster',
    },
  );
  // ── creating clusters at a provider ────────────────────────────────────
  const eks = (extra: object = {}) => ({
    region: 'us-east-1',
    vpcCidr: '10.20.0.0/16',
    kubernetesVersion: '1.34',
    ...extra,
  });
  const provision = (
    name: string,
    body: unknown,
    field: string,
    status: number | number[] = 400,
  ): HostileCase => ({
    name: `provisioning: ${name}`,
    method: 'POST',
    path: `${API}/provisioning`,
    body,
    status,
    field,
  });
  cases.push(
    provision('no provider', { name: 'hostile-p' }, 'provider'),
    provision(
      'an unknown provider',
      { name: 'hostile-p', provider: 'gke', eks: eks() },
      'provider',
    ),
    provision(
      'the reserved name of the page',
      { name: 'create', provider: 'eks', eks: eks() },
      'name',
    ),
    provision(
      'a region made to be a pattern',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({
          region: '(a+)+$',
          availabilityZones: ['(a+)+$a', '(a+)+$b'],
        }),
      },
      'eks.region',
    ),
    provision(
      'a region of 10,000 characters',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ region: 'a'.repeat(10_000) }),
      },
      'eks.region',
    ),
    provision(
      'a CIDR with a newline',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ vpcCidr: '10.0.0.0/16\n' }),
      },
      'eks.vpcCidr',
    ),
    provision(
      'a CIDR with leading zeros',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ vpcCidr: '010.0.0.0/16' }),
      },
      'eks.vpcCidr',
    ),
    provision(
      'a CIDR as a number',
      { name: 'hostile-p', provider: 'eks', eks: eks({ vpcCidr: 167772160 }) },
      'eks.vpcCidr',
    ),
    provision(
      'a /0 VPC',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ vpcCidr: '0.0.0.0/0' }),
      },
      'eks.vpcCidr',
    ),
    provision(
      '41 public CIDRs',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ publicAccessCidrs: Array(41).fill('203.0.113.0/24') }),
      },
      'eks.publicAccessCidrs',
    ),
    provision(
      '10,000 public CIDRs',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ publicAccessCidrs: Array(10_000).fill('203.0.113.0/24') }),
      },
      'body',
    ),
    provision(
      'the metadata range as a public CIDR',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ publicAccessCidrs: ['169.254.169.254/32'] }),
      },
      'eks.publicAccessCidrs.0',
    ),
    provision(
      'an object for a zone',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ availabilityZones: [{ $gt: '' }, 'us-east-1b'] }),
      },
      'eks.availabilityZones.0',
    ),
    provision(
      'a prototype key in the spec',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: {
          ...eks(),
          __proto__: { irsa: false },
          constructor: { prototype: { admin: true } },
        },
      },
      'eks',
    ),
    provision(
      'a tag with a control character',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks({ team: 'pay\u0000ments' }),
      },
      'eks.team',
    ),
    provision(
      'an idempotency key with a newline',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks(),
        idempotencyKey: 'a\nb',
      },
      'idempotencyKey',
    ),
    provision(
      'an idempotency key of 10,000 characters',
      {
        name: 'hostile-p',
        provider: 'eks',
        eks: eks(),
        idempotencyKey: 'k'.repeat(10_000),
      },
      'idempotencyKey',
    ),
    {
      name: 'provisioning: a body that is no JSON',
      method: 'POST',
      path: `${API}/provisioning`,
      raw: {
        data: 'name=hostile-p&provider=eks',
        contentType: 'application/x-www-form-urlencoded',
      },
      status: 415,
    },
    {
      name: 'deleting at the provider a cluster that does not exist',
      method: 'POST',
      path: `${API}/clusters/no-such-cluster/deprovision`,
      status: 404,
      field: 'name',
    },
    {
      name: 'retrying the creation of a cluster that does not exist',
      method: 'POST',
      path: `${API}/clusters/no-such-cluster/provisioning/retry`,
      status: 404,
      field: 'name',
    },
    {
      name: 'the provisioning of a name that is no cluster name',
      method: 'GET',
      path: `${API}/clusters/${encodeURIComponent(
        '../../etc/passwd',
      )}/provisioning`,
      status: [400, 404],
    },
  );
  return cases;
}
