import {
  formatIpv4Cidr,
  ipv4BlocksOverlap,
  isPublicIpv4Block,
  parseIpv4Cidr,
  splitIpv4Block,
  Ipv4Block,
} from './cidr';

const block = (c: string) => parseIpv4Cidr(c) as Ipv4Block;

describe('IPv4 blocks', () => {
  it('parses and formats', () => {
    expect(formatIpv4Cidr(block('10.0.0.0/16'))).toBe('10.0.0.0/16');
    expect(formatIpv4Cidr(block('255.255.255.255/32'))).toBe(
      '255.255.255.255/32',
    );
    expect(block('0.0.0.0/0')).toEqual({ base: 0, prefix: 0 });
  });

  it.each([
    '10.0.0.0',
    '10.0.0.0/33',
    '256.0.0.0/8',
    '10.0.0/16',
    ' 10.0.0.0/16',
    '10.0.0.00/16',
    '::/0',
  ])('refuses %j', text => expect(parseIpv4Cidr(text)).toHaveProperty('error'));

  it('names the block an unaligned address belongs to', () => {
    expect(parseIpv4Cidr('10.0.1.0/16')).toEqual({
      error: 'is not the first address of its block: did you mean 10.0.0.0/16?',
    });
  });

  it('tells overlaps', () => {
    expect(
      ipv4BlocksOverlap(block('10.0.0.0/16'), block('10.0.255.0/24')),
    ).toBe(true);
    expect(ipv4BlocksOverlap(block('10.0.0.0/16'), block('10.1.0.0/16'))).toBe(
      false,
    );
    expect(ipv4BlocksOverlap(block('0.0.0.0/0'), block('192.168.1.0/24'))).toBe(
      true,
    );
  });

  it('tells public address space', () => {
    expect(isPublicIpv4Block(block('0.0.0.0/0'))).toBe(true);
    expect(isPublicIpv4Block(block('203.0.113.0/24'))).toBe(true);
    expect(isPublicIpv4Block(block('10.1.0.0/16'))).toBe(false);
    expect(isPublicIpv4Block(block('172.20.0.0/16'))).toBe(false);
    expect(isPublicIpv4Block(block('0.0.0.0/4'))).toBe(false); // contains 10/8
  });

  it('cuts equal subnets from the start, as large as fit', () => {
    expect(
      splitIpv4Block(block('10.0.0.0/16'), 6)!.map(formatIpv4Cidr),
    ).toEqual([
      '10.0.0.0/19',
      '10.0.32.0/19',
      '10.0.64.0/19',
      '10.0.96.0/19',
      '10.0.128.0/19',
      '10.0.160.0/19',
    ]);
    expect(
      splitIpv4Block(block('10.0.0.0/24'), 4)!.map(formatIpv4Cidr),
    ).toEqual([
      '10.0.0.0/26',
      '10.0.0.64/26',
      '10.0.0.128/26',
      '10.0.0.192/26',
    ]);
    expect(splitIpv4Block(block('10.0.0.0/26'), 6)).toBeUndefined(); // /29 < /28
  });
});
