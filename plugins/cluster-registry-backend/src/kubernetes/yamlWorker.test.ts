import { YamlParserPool } from './yamlWorker';

describe('YamlParserPool', () => {
  const pool = new YamlParserPool({
    maxValues: 1000,
    maxChars: 100_000,
    maxAliasCount: 100,
    timeoutMs: 2000,
  });
  afterAll(() => pool.stop());

  it('parses plain YAML in a worker thread', async () => {
    await expect(pool.parse('a: 1\nb: [x, {c: d}]\n')).resolves.toEqual({
      a: 1,
      b: ['x', { c: 'd' }],
    });
  });

  it('refuses alias bombs, custom tags and oversized trees, saying where and not what', async () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (const l of 'bcdefgh')
      bomb.push(
        `${l}: &${l} [${Array(9)
          .fill(`*${String.fromCharCode(l.charCodeAt(0) - 1)}`)
          .join(',')}]`,
      );
    await expect(pool.parse(bomb.join('\n'))).rejects.toThrow(
      /^kubeconfig: uses more YAML aliases/,
    );
    await expect(pool.parse('t: !!js/function "x"')).rejects.toThrow(
      /^kubeconfig: not valid YAML \(TAG_RESOLVE_FAILED at line 1/,
    );
    await expect(
      pool.parse(`l: [${Array(2000).fill('1').join(',')}]`),
    ).rejects.toThrow(/more than 1000 values/);
    const error = (await pool
      .parse('a:\n  token: SECRET-1\n b: [')
      .catch(e => e)) as Error;
    expect(error.message).toMatch(
      /^kubeconfig: not valid YAML \(\w+ at line \d+, column \d+\)$/,
    );
    expect(error.message).not.toContain('SECRET');
  });

  it('keeps working after a parse that overran its deadline', async () => {
    const slow = new YamlParserPool({
      maxValues: 1000,
      maxChars: 100_000,
      maxAliasCount: 100,
      timeoutMs: 1,
    });
    await expect(slow.parse('['.repeat(500_000))).rejects.toThrow(
      /^kubeconfig: /,
    );
    await slow.stop();
    await expect(pool.parse('ok: true')).resolves.toEqual({ ok: true });
  });
});
