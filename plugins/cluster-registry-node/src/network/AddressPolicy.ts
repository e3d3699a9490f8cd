import { RootConfigService } from '@backstage/backend-plugin-api';
import ipaddr from 'ipaddr.js';
import dns from 'node:dns';
import net from 'node:net';
import { InputError } from '@backstage/errors';

/**
 * The one policy for every address the suite contacts: cluster server URLs,
 * Prometheus URLs, proxy URLs, SSH hosts. It is applied twice: to what a
 * request brings in (host names and IP literals in any notation), and to the
 * address actually dialled (`lookup`), so that a DNS answer pointing at a
 * refused address is refused too.
 */

/**
 * How every connect-time refusal begins; a health check that was refused
 * records it as the cluster's state message.
 */
/** @public */
export const ADDRESS_POLICY_REFUSAL = 'the address policy refuses';

/** Why an address is refused; `undefined` when it is allowed. */
/** @public */
export type AddressVerdict = string | undefined;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Cloud instance-metadata services, by name (compared without trailing dots). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
  'metadata.tencentyun.com',
]);

/** Metadata endpoints outside link-local space (Alibaba, Azure wire server, Oracle, AWS IPv6). */
const METADATA_ADDRESSES = [
  '100.100.100.200/32',
  '168.63.129.16/32',
  '192.0.0.192/32',
  'fd00:ec2::254/128',
];

/** Ranges no cluster lives in: never dialled unless allowed explicitly. */
const ALWAYS_REFUSED: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0, ::)',
  linkLocal: 'a link-local address (where cloud metadata services live)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

const PRIVATE_RANGES = new Set([
  'private',
  'uniqueLocal',
  'carrierGradeNat',
  'deprecatedSiteLocal',
]);

/** @public */
export interface AddressPolicyOptions {
  /** Loopback (127.0.0.0/8, ::1, localhost). Default true. */
  allowLoopback?: boolean;
  /** Private ranges (RFC 1918, fc00::/7, 100.64.0.0/10). Default true. */
  allowPrivate?: boolean;
  /** CIDRs or host names allowed even where the rules above refuse them. */
  dangerouslyAllow?: string[];
  /** Extra CIDRs or host names to refuse. */
  deny?: string[];
  /** Resolver used at connect time; dns.lookup by default. */
  resolve?: (
    hostname: string,
  ) => Promise<Array<{ address: string; family: number }>>;
}

/** A host name without trailing dots, lower case, IPv6 brackets removed. @public */
export function normalizeHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
}

function parseCidr(entry: string): Range | undefined {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    if (ipaddr.isValid(entry)) {
      const ip = ipaddr.parse(entry);
      return [ip, ip.kind() === 'ipv4' ? 32 : 128];
    }
  } catch {
    // a host name
  }
  return undefined;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo), if any. */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const b = ip.toByteArray();
  const v4 = (o: number, xor = 0) =>
    new ipaddr.IPv4([
      b[o] ^ xor,
      b[o + 1] ^ xor,
      b[o + 2] ^ xor,
      b[o + 3] ^ xor,
    ]);
  const zero = (from: number, to: number) =>
    b.slice(from, to).every(x => x === 0);
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT), ::a.b.c.d (compatible)
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12))
    return v4(12);
  if (zero(0, 12) && !zero(12, 14)) return v4(12);
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local-use NAT64, RFC 8215)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b)
    return v4(12);
  // 2002:a.b.c.d::/48 (6to4)
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  // 2001:0::/32 (Teredo): the client address, obfuscated
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0)
    return v4(12, 0xff);
  return undefined;
}

/** A 400 naming the field, in the registry's `error.fields` form. */
function refusal(field: string, reason: string): Error {
  return Object.assign(new InputError(`${field}: ${reason}`), {
    fields: [{ field, reason }],
  });
}

/**
 * The address policy (see the module comment), from
 * `clusterRegistry.addressPolicy`.
 *
 * @public
 */
export class AddressPolicy {
  private readonly allowLoopback: boolean;
  private readonly allowPrivate: boolean;
  private readonly allowRanges: Range[];
  private readonly allowNames: Set<string>;
  private readonly denyRanges: Range[];
  private readonly denyNames: Set<string>;
  private readonly metadataRanges: Range[];
  private readonly resolve: NonNullable<AddressPolicyOptions['resolve']>;

  constructor(options: AddressPolicyOptions = {}) {
    this.allowLoopback = options.allowLoopback ?? true;
    this.allowPrivate = options.allowPrivate ?? true;
    const split = (entries: string[] = [], key: string) => {
      const ranges: Range[] = [];
      const names = new Set<string>();
      for (const entry of entries) {
        const range = parseCidr(entry.trim());
        if (range) ranges.push(range);
        else if (/^[a-z0-9.-]+$/i.test(entry.trim()))
          names.add(normalizeHost(entry.trim()));
        else
          throw new Error(
            `clusterRegistry.addressPolicy.${key}: '${entry}' is neither a CIDR, an IP address nor a host name`,
          );
      }
      return { ranges, names };
    };
    const allow = split(options.dangerouslyAllow, 'dangerouslyAllow');
    const deny = split(options.deny, 'deny');
    this.allowRanges = allow.ranges;
    this.allowNames = allow.names;
    this.denyRanges = deny.ranges;
    this.denyNames = deny.names;
    this.metadataRanges = METADATA_ADDRESSES.map(c => ipaddr.parseCIDR(c));
    this.resolve =
      options.resolve ??
      (hostname =>
        dns.promises.lookup(hostname, { all: true, verbatim: true }));
  }

  static fromConfig(config: RootConfigService): AddressPolicy {
    const c = config.getOptionalConfig('clusterRegistry.addressPolicy');
    return new AddressPolicy({
      allowLoopback: c?.getOptionalBoolean('allowLoopback'),
      allowPrivate: c?.getOptionalBoolean('allowPrivate'),
      dangerouslyAllow: c?.getOptionalStringArray('dangerouslyAllow'),
      deny: c?.getOptionalStringArray('deny'),
    });
  }

  private static inRanges(ip: ipaddr.IPv4 | ipaddr.IPv6, ranges: Range[]) {
    return ranges.some(
      ([net_, bits]) =>
        net_.kind() === ip.kind() && ip.match([net_, bits] as any),
    );
  }

  /** Why an IP address (any notation Node or the URL parser produces) is refused. */
  checkAddress(address: string): AddressVerdict {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.parse(normalizeHost(address).replace(/%.*$/, ''));
    } catch {
      return `'${address}' is not an IP address`;
    }
    if (AddressPolicy.inRanges(ip, this.allowRanges)) return undefined;
    if (AddressPolicy.inRanges(ip, this.denyRanges))
      return `${ip.toString()} is refused by clusterRegistry.addressPolicy.deny`;
    if (ip.kind() === 'ipv6') {
      const inner = embeddedIPv4(ip as ipaddr.IPv6);
      if (inner) {
        const verdict = this.checkAddress(inner.toString());
        return (
          verdict && `${ip.toString()} embeds ${inner.toString()}: ${verdict}`
        );
      }
    }
    const shown = ip.toString();
    if (AddressPolicy.inRanges(ip, this.metadataRanges))
      return `${shown} is a cloud metadata address`;
    const range = ip.range();
    if (ALWAYS_REFUSED[range]) return `${shown} is ${ALWAYS_REFUSED[range]}`;
    if (ip.kind() === 'ipv4' && (ip as ipaddr.IPv4).octets[0] === 0)
      return `${shown} is in 0.0.0.0/8, which is not a destination`;
    if (range === 'loopback' && !this.allowLoopback)
      return `${shown} is a loopback address (clusterRegistry.addressPolicy.allowLoopback is false)`;
    if (PRIVATE_RANGES.has(range) && !this.allowPrivate)
      return `${shown} is a private address (clusterRegistry.addressPolicy.allowPrivate is false)`;
    return undefined;
  }

  /** Why a host (name or IP literal, as the URL parser gives it) is refused, before any DNS. */
  checkHost(host: string): AddressVerdict {
    let name = normalizeHost(host);
    if (!name) return 'has no host';
    // A bare host (an SSH bastion) in inet_aton notation (2852039166,
    // 0xa9fea9fe, 169.254.43518) is an address to the resolver: read it the
    // way the URL parser does.
    if (!net.isIP(name) && /^[0-9a-fx.]+$/.test(name)) {
      try {
        name = normalizeHost(new URL(`http://${name}/`).hostname);
      } catch {
        return `'${host}' is not a valid host`;
      }
    }
    if (net.isIP(name)) return this.checkAddress(name);
    if (this.allowNames.has(name)) return undefined;
    if (this.denyNames.has(name))
      return `${name} is refused by clusterRegistry.addressPolicy.deny`;
    if (METADATA_NAMES.has(name)) return `${name} is a cloud metadata service`;
    if (
      (name === 'localhost' || name.endsWith('.localhost')) &&
      !this.allowLoopback
    )
      return `${name} is a loopback name (clusterRegistry.addressPolicy.allowLoopback is false)`;
    return undefined;
  }

  /**
   * Checks a URL a request brought in; throws a 400 naming the field. The URL
   * has passed the contract's syntax rules (no whitespace, no credentials).
   */
  assertUrl(field: string, url: string): void {
    let hostname: string;
    try {
      hostname = new URL(url).hostname;
    } catch {
      throw refusal(field, 'must be an absolute URL');
    }
    this.assertHost(field, hostname);
  }

  /** Like assertUrl, for a bare host (an SSH bastion). */
  assertHost(field: string, host: string): void {
    const verdict = this.checkHost(host);
    if (verdict) {
      throw refusal(
        field,
        `the address policy refuses this destination: ${verdict} (see clusterRegistry.addressPolicy)`,
      );
    }
  }

  /**
   * A `lookup` for `net.connect` / `http(s).request` / agents: resolves the
   * name and refuses the connection if any answer is refused, so what is
   * dialled is what was checked. IP literals never reach a lookup: check them
   * with `checkHost` before connecting (KubeClient and the Prometheus client do).
   */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    const done = callback as (
      error: Error | null,
      address?: string | dns.LookupAddress[],
      family?: number,
    ) => void;
    const fail = (message: string, code = 'EADDRNOTALLOWED') =>
      done(Object.assign(new Error(message), { code, hostname }));
    const name = normalizeHost(hostname);
    const verdict = this.checkHost(name);
    if (verdict) {
      fail(`${ADDRESS_POLICY_REFUSAL} ${hostname}: ${verdict}`);
      return;
    }
    const FAMILIES: Record<string, number> = { IPv4: 4, IPv6: 6 };
    const family = (options as dns.LookupOptions).family as unknown;
    const wantedFamily = FAMILIES[String(family)] ?? Number(family ?? 0);
    this.resolve(name).then(answers => {
      const refused = answers
        .map(a => ({ address: a.address, why: this.checkAddress(a.address) }))
        .find(a => a.why);
      const wanted = wantedFamily
        ? answers.filter(a => a.family === wantedFamily)
        : answers;
      const list = wanted.length ? wanted : answers;
      if (refused) {
        fail(
          `${ADDRESS_POLICY_REFUSAL} ${hostname}: it resolves to ${refused.address}: ${refused.why}`,
        );
      } else if (!list.length) {
        fail(`no address for ${hostname}`, 'ENOTFOUND');
      } else if ((options as dns.LookupAllOptions).all) {
        done(null, list);
      } else {
        done(null, list[0].address, list[0].family);
      }
    }, done);
  };

  /** Throws (with code EADDRNOTALLOWED) if a host may not be dialled; for IP literals before connecting. */
  assertDialable(hostname: string): void {
    const verdict = this.checkHost(hostname);
    if (verdict) {
      throw Object.assign(
        new Error(`${ADDRESS_POLICY_REFUSAL} ${hostname}: ${verdict}`),
        { code: 'EADDRNOTALLOWED' },
      );
    }
  }
}
