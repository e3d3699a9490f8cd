/**
 * Wraps a field's setter so that a change also clears what was found about
 * the old value (field errors, a verification result).
 */
export function clearingOnChange(clear: () => void) {
  return <T>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      clear();
    };
}
