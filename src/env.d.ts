/** Replaced at build time with package.json's version. */
declare const __SDK_VERSION__: string;

declare module '*.css' {
  const css: string;
  export default css;
}
