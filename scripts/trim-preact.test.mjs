// @vitest-environment happy-dom
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { edits, preactVersion, trimPreact } from './trim-preact.mjs';

const require = createRequire(import.meta.url);
const installed = readFileSync(require.resolve('preact').replace(/preact\.js$/, 'preact.module.js'), 'utf8');

/** The trimmed module, imported like any ES module. */
const trimmed = () => import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(trimPreact(installed))}`);

describe('trimPreact', () => {
  it('is written against the installed Preact, and every edit matches it exactly once', () => {
    expect(require('preact/package.json').version).toBe(preactVersion);
    expect(() => trimPreact(installed)).not.toThrow();
    expect(trimPreact(installed).length).toBeLessThan(installed.length - 1000);
  });

  it('fails naming the edit that no longer matches', () => {
    const [from, , why] = edits[4];
    expect(() => trimPreact(installed.replace(from, ''))).toThrow(`the edit for "${why}" matches 0 times`);
  });

  it('leaves no innerHTML write', () => {
    expect(installed).toContain('innerHTML');
    expect(trimPreact(installed)).not.toContain('innerHTML');
  });

  it('still renders, updates, refs and unmounts function components', async () => {
    const { h, render, Fragment } = await trimmed();
    const root = document.createElement('div');
    let node;
    const Item = ({ label }) => h('li', { class: 'item' }, label);
    const List = ({ items, onClick }) =>
      h(Fragment, null, h('button', { type: 'button', onClick, ref: (el) => (node = el) }, 'Go'), h('ul', null, items.map((i) => h(Item, { label: i }))));

    const clicks = [];
    render(h(List, { items: ['a', 'b'], onClick: () => clicks.push(1) }), root);
    expect(root.innerHTML).toBe('<button type="button">Go</button><ul><li class="item">a</li><li class="item">b</li></ul>');
    const first = root.querySelector('li');
    node.click();
    expect(clicks).toEqual([1]);

    render(h(List, { items: ['c', 'a'], onClick: () => clicks.push(2) }), root);
    expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['c', 'a']);
    expect(root.querySelectorAll('li')[0]).toBe(first); // unkeyed, as all of ours: diffed in place, not recreated
    node.click();
    expect(clicks).toEqual([1, 2]);

    render(null, root);
    expect(root.innerHTML).toBe('');
    expect(node).toBe(null);
  });

  it('renders a dangerouslySetInnerHTML prop as nothing but an inert property', async () => {
    const { h, render } = await trimmed();
    const root = document.createElement('div');
    render(h('p', { dangerouslySetInnerHTML: { __html: '<img src=x onerror=alert(1)>' } }, 'text'), root);
    expect(root.querySelector('img')).toBe(null);
    expect(root.textContent).toBe('text');
  });

  it('passes an error thrown while rendering to the caller', async () => {
    const { h, render } = await trimmed();
    const Broken = () => {
      throw new Error('broken component');
    };
    expect(() => render(h(Broken, null), document.createElement('div'))).toThrow('broken component');
  });
});

describe('the source of the script tag', () => {
  // What the trimmed Preact can no longer do, so that using it fails here rather than silently in a browser.
  const uses = [
    [/\bstyle=\{/, 'a style prop'],
    [/<(svg|math|template|progress|option)\b/, 'an element whose special handling is cut'],
    [/on[A-Z]\w*Capture\b|onFocus(In|Out)\b/, 'a capture-phase, focusin or focusout listener'],
    [/dangerouslySetInnerHTML/, 'dangerouslySetInnerHTML'],
    [/extends Component|this\.(setState|forceUpdate)\(|defaultProps|createContext|hydrate\(/, 'class components, context or hydration'],
    [/from 'preact\/(hooks|compat)'/, 'hooks or compat'],
    [/\bref=\{(?!\()|createRef/, 'a ref that is not a callback'],
    [/\skey=/, 'a key (children are matched by position)'],
    [/\s(value|defaultValue|defaultChecked|is)=/, 'a prop whose own handling is cut'],
    [/^(export )?(const|let) \w+[^=\n]*= \(?\s*<[a-z]/m, 'an element kept at module level (rendered again, Preact would meet a vnode it already holds)'],
    [/\s(width|height|list|form|tabIndex|download|rowSpan|colSpan|popover)=/, 'a prop Preact would have set as an attribute'],
  ];
  const files = readdirSync('src', { recursive: true }).filter((f) => /\.tsx?$/.test(f) && !/\.test\./.test(f) && !f.startsWith('collector'));

  it('uses nothing scripts/trim-preact.mjs cut out', () => {
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((f) => uses.filter(([re]) => re.test(readFileSync(`src/${f}`, 'utf8'))).map(([, what]) => `src/${f}: ${what}`));
    expect(found).toEqual([]);
  });
});
