/**
 * IPv4 CIDR blocks: what the EKS form and the EKS provisioner both need to
 * check a VPC plan (sizes, overlaps, public or private) and to cut subnets
 * from it. Pure functions on 32-bit numbers.
 */

/** An IPv4 block: its first address as an unsigned 32-bit number, and its prefix length. @public */
export interface Ipv4Block {
  base: number;
  prefix: number;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const CIDR = new RegExp(
  `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?\\d)$`,
);

/**
 * Parses `a.b.c.d/n`; the reason it is not one otherwise. The address must be
 * the block's first (10.0.0.0/16, not 10.0.1.0/16), as AWS requires.
 * @public
 */
export function parseIpv4Cidr(text: string): Ipv4Block | { error: string } {
  const m = CIDR.exec(text);
  if (!m) return { error: 'must be an IPv4 block such as 10.0.0.0/16' };
  const address =
    ((Number(m[1]) << 24) >>> 0) +
    (Number(m[2]) << 16) +
    (Number(m[3]) << 8) +
    Number(m[4]);
  const prefix = Number(m[5]);
  const base = (address & mask(prefix)) >>> 0;
  if (base !== address)
    return {
      error: `is not the first address of its block: did you mean ${formatIpv4Cidr(
        { base, prefix },
      )}?`,
    };
  return { base, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** How many addresses a block holds. */
function size(block: Ipv4Block): number {
  return 2 ** (32 - block.prefix);
}

/** `a.b.c.d/n`. @public */
export function formatIpv4Cidr({ base, prefix }: Ipv4Block): string {
  return `${[24, 16, 8, 0].map(s => (base >>> s) & 255).join('.')}/${prefix}`;
}

/** Whether two blocks share an address. @public */
export function ipv4BlocksOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Private, shared, loopback, link-local, multicast and reserved ranges. */
const NOT_PUBLIC = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/3',
].map(c => parseIpv4Cidr(c) as Ipv4Block);

/**
 * Whether a block lies entirely in public address space (0.0.0.0/0 counts:
 * "everyone"). EKS refuses private blocks for its public endpoint.
 * @public
 */
export function isPublicIpv4Block(block: Ipv4Block): boolean {
  if (block.prefix === 0) return true;
  return !NOT_PUBLIC.some(r => ipv4BlocksOverlap(r, block));
}

/**
 * Cuts `count` equal subnets, as large as fit, from the start of a block;
 * undefined if they would be smaller than `/maxPrefix`.
 * @public
 */
export function splitIpv4Block(
  block: Ipv4Block,
  count: number,
  maxPrefix = 28,
): Ipv4Block[] | undefined {
  const bits = Math.ceil(Math.log2(Math.max(1, count)));
  const prefix = block.prefix + bits;
  if (prefix > maxPrefix) return undefined;
  return Array.from({ length: count }, (_, i) => ({
    base: (block.base + i * 2 ** (32 - prefix)) >>> 0,
    prefix,
  }));
}
