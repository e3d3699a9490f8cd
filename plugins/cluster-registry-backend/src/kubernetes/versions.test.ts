import { isVersionSupported } from './versions';

describe('isVersionSupported', () => {
  it('compares minors, not strings', () => {
    const range = { min: '1.28' };
    expect(isVersionSupported('v1.28.0', range)).toBe(true);
    expect(isVersionSupported('v1.9.0', range)).toBe(false);
    expect(isVersionSupported('v1.100.0', range)).toBe(true);
    expect(isVersionSupported('v1.27.16-eks-a1b2c3', range)).toBe(false);
    expect(isVersionSupported('v1.31.2', { min: '1.28', max: '1.30' })).toBe(
      false,
    );
    expect(isVersionSupported('v1.30.9', { min: '1.28', max: '1.30' })).toBe(
      true,
    );
    expect(isVersionSupported(undefined, range)).toBeUndefined();
    expect(isVersionSupported('garbage', range)).toBeUndefined();
  });
});
