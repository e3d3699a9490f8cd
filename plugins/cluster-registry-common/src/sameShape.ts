/**
 * Whether two types accept exactly the same values: the compile-time check
 * that a zod rule and the OpenAPI document's shape agree. Not exported from
 * the package.
 */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : false
  : false;
