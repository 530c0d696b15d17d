/**
 * Global Privacy Control detection.
 * @see https://privacycg.github.io/gpc-spec/
 */

/**
 * Whether the browser sends Global Privacy Control. Only the exact value `true` counts: a
 * missing property (most browsers), `false`, or a truthy non-boolean is no signal.
 */
export const detectGpc = (nav?: object): boolean => (nav as { globalPrivacyControl?: unknown } | undefined)?.globalPrivacyControl === true;
