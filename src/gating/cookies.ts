/**
 * Deleting a withdrawn purpose's cookies. A cookie is only removed by overwriting it with the same
 * name, domain and path it was set with, which the page cannot read back, so every combination the
 * cookie could have been set with is overwritten.
 */

/**
 * The `domain` attributes a cookie visible on `host` may carry: `''` (host-only), the host, and
 * each parent domain up to `top` (the configured cookie domain) or else up to the last two labels,
 * so bare top-level domains are never tried. IP addresses only have host-only cookies.
 */
export function cookieDomains(host: string, top?: string): string[] {
  const out = [''];
  // IP addresses have no parent domains.
  for (let d = /^[\d.]+$/.test(host) ? '' : host; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) {
    out.push(d);
    if (d == top?.replace(/^\./, '')) break;
  }
  return out;
}

/** The `path` attributes a cookie visible at `path` may carry: every prefix ending before or at a `/`. */
export function cookiePaths(path: string): string[] {
  const out = new Set(['/']);
  for (let i = 1; i <= path.length; i++) {
    if (i == path.length || path[i] == '/') out.add(path.slice(0, i)).add(path.slice(0, i + 1));
  }
  return [...out];
}

/**
 * Whether a cookie name matches one of `patterns`: exact names, or `/regex/` strings as the config
 * allows them (a cookie name cannot hold `/`, so a leading one marks a regex).
 */
export const cookieMatches = (patterns: string[], name: string): boolean =>
  patterns.some((p) => p == name || (p[0] == '/' && RegExp(p.slice(1, -1)).test(name)));

/**
 * Expires every cookie the page can see whose name matches `patterns`, on every domain and path it
 * could have been set on. HttpOnly cookies are out of a page's reach.
 */
export function deleteCookies(patterns: string[], top?: string): void {
  const { hostname, pathname } = location;
  for (const c of document.cookie.split(';')) {
    const name = c.split('=')[0]!.trim();
    if (name && cookieMatches(patterns, name)) {
      for (const d of cookieDomains(hostname, top)) {
        for (const p of cookiePaths(pathname)) document.cookie = `${name}=;max-age=0;path=${p}${d && ';domain=' + d}`;
      }
    }
  }
}
