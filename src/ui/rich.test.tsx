// @vitest-environment happy-dom
import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { rich } from './rich';

const html = (text: string) => render(<p>{rich(text)}</p>).container.querySelector('p')!;

describe('Rich', () => {
  it('turns [label](https://…) into a real link that opens safely', () => {
    const p = html('See [our partners](https://example.com/partners) and [more](http://example.org/x).');
    const links = [...p.querySelectorAll('a')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')])).toEqual([
      ['our partners', 'https://example.com/partners', 'noopener'],
      ['more', 'http://example.org/x', 'noopener'],
    ]);
    expect(p.textContent).toBe('See our partners and more.');
  });

  it('shows HTML-looking text as text and creates no element for it', () => {
    const p = html('<img src=x onerror="alert(1)"><b>bold</b>');
    expect(p.children).toHaveLength(0);
    expect(p.textContent).toBe('<img src=x onerror="alert(1)"><b>bold</b>');
  });

  it('links same-site paths, and leaves links with other schemes as plain text', () => {
    const p = html('[click](javascript:alert(1)) [data](data:text/html,x) [JS](JavaScript:void) [policy](/privacy)');
    expect([...p.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['/privacy']);
    expect(p.textContent).toBe('[click](javascript:alert(1)) [data](data:text/html,x) [JS](JavaScript:void) policy');
  });
});
