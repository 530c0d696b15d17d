// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { h, num, pct, replace, s } from './dom';

describe('dom builders', () => {
  it('puts strings in as text, never as markup', () => {
    const el = h('td', null, '<img src=x onerror=alert(1)>', 3);
    expect(el.textContent).toBe('<img src=x onerror=alert(1)>3');
    expect(el.querySelector('img')).toBeNull();
    expect(el.childNodes[0]!.nodeType).toBe(3);
  });
  it('sets attributes but refuses event handler attributes', () => {
    const el = h('a', { href: '#/x', onclick: 'alert(1)', ONMOUSEOVER: 'x', hidden: true, title: undefined, download: false });
    expect(el.getAttribute('href')).toBe('#/x');
    expect(el.hasAttribute('onclick')).toBe(false);
    expect(el.hasAttribute('onmouseover')).toBe(false);
    expect(el.getAttribute('hidden')).toBe('');
    expect(el.hasAttribute('title')).toBe(false);
    expect(el.hasAttribute('download')).toBe(false);
  });
  it('creates SVG elements in the SVG namespace', () => {
    const svg = s('svg', { viewBox: '0 0 1 1' }, s('rect', { width: 1 }));
    expect(svg.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(svg.firstElementChild!.namespaceURI).toBe('http://www.w3.org/2000/svg');
  });
  it('replaces children and formats numbers', () => {
    const p = h('p', null, 'old');
    replace(p, 'new', null, false, h('b', null, 'x'));
    expect(p.innerHTML).toBe('new<b>x</b>');
    expect(pct(1, 3)).toBe('33.3%');
    expect(pct(0, 0)).toBe('—');
    expect(num(1234567)).toBe('1,234,567');
  });
});
