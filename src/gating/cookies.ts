/**
 * Deleting a withdrawn purpose's cookies. A cookie is only removed by overwriting it with the same
 * name, domain and path it was set with, which the page cannot read back, so every combination the
 * cookie could have been set with is overwritten.
 */

/**
 * Expires every cookie the page can see whose name matches `patterns` (exact names, or `/regex/`
 * strings as the config allows them: a cookie name cannot hold `/`, so a leading one marks a regex),
 * on every domain and path it could have been set on:
 * - domains: host-only, the host, and each parent domain up to `top` (the configured cookie domain)
 *   or else up to the last two labels, so bare top-level domains are never tried; IP addresses only
 *   have host-only cookies;
 * - paths: every prefix of the page's path ending before or at a `/`, and the path itself.
 * In a secure context every overwrite is `Secure`: `__Secure-` and `__Host-` cookies can only be
 * overwritten so, and the flag keeps other cookies matched (HttpOnly cookies are out of a page's reach).
 */
export function deleteCookies(patterns: string[], top?: string): void {
  const { hostname, pathname } = location;
  const domains = [''];
  for (let d = /^[\d.]+$/.test(hostname) ? '' : hostname; d.includes('.') && domains.push(';domain=' + d) && d != top?.replace(/^\./, ''); ) d = d.slice(d.indexOf('.') + 1);
  for (const c of document.cookie.split(';')) {
    const name = c.split('=')[0]!.trim();
    if (name && patterns.some((p) => p == name || (p[0] == '/' && RegExp(p.slice(1, -1)).test(name))))
      // At each `/` (and at the end): the path before it and the path through it, on every domain.
      for (const m of pathname.matchAll(/\/|$/g))
        for (const p of [pathname.slice(0, m.index) || '/', pathname.slice(0, m.index! + 1)])
          for (const d of domains) document.cookie = `${name}=;max-age=0;path=${p}${d}${isSecureContext ? ';secure' : ''}`;
  }
}
