// Preact's code paths the script-tag build can never take, cut out of dist/consentseal.js only.
// Measured on 2026-11-30: about 2,090 B gzip off dist/consentseal.js.
//
// Why they are dead there (the same facts scripts/mangle-props.mjs relies on):
// - the bundle renders only function components of ours and uses no preact/hooks: no class
//   component, no setState/forceUpdate, no context, no error boundary exists;
// - nothing fills Preact's `options` hooks (no preact/hooks, devtools or debug; the page cannot reach
//   the bundled Preact: `window.ConsentSeal` exposes no `h`, `render` or `options`);
// - no element of ours has a `key`: lists are diffed by position (Preact's way for unkeyed children);
// - every vnode is made at the paint that renders it: the widget and the placeholders draw their whole
//   tree afresh each time and keep none, so no vnode is in two trees or diffed against itself (a
//   vnode kept and rendered again, a hoisted constant element say, would break this);
// - no element of ours has `dangerouslySetInnerHTML`: config text is never HTML. With that path gone
//   the script tag contains no `innerHTML` write at all (scripts/trim-preact.test.mjs checks it).
// Preact's render queue (enqueueRender and the re-render of one component) is only reachable from
// setState and forceUpdate, so terser drops it once those two are gone.
//
// Preact ships minified, so each edit is an exact string of its dist/preact.module.js. The version is
// pinned in package.json; an edit that does not match exactly once fails the build, so an upgrade
// gets looked at rather than silently shipping an untrimmed or half-trimmed Preact.
// dist/index.js and dist/headless.js are left alone (bundlers and SPAs get Preact as published).

/** The Preact release the edits were written against. */
export const preactVersion = '10.29.8';

/** `[what Preact has, what replaces it, why it is dead]`. */
export const edits = [
  // Class components, context, error boundaries, setState.
  [
    'M=F.prototype&&F.prototype.render,I=(s=F.contextType)&&i[s.__c],P=s?I?I.props.value:s.__:i',
    'M=!1,I=s=void 0,P=i',
    'class components and contextType: none exists, so every `M&&…` lifecycle branch goes',
  ],
  [
    'C.prototype.setState=function(n,l){var u;u=null!=this.__s&&this.__s!=this.state?this.__s:this.__s=m({},this.state),"function"==typeof n&&(n=n(m({},u),this.props)),n&&m(u,n),null!=n&&this.__v&&(l&&this._sb.push(l),A(this))},C.prototype.forceUpdate=function(n){this.__v&&(this.__e=!0,n&&this.__h.push(n),A(this))},',
    '',
    'setState and forceUpdate: only class components and hooks call them',
  ],
  [
    '__e:function(n,l,u,t){for(var i,r,o;l=l.__;)if((i=l.__c)&&!i.__)try{if((r=i.constructor)&&null!=r.getDerivedStateFromError&&(i.setState(r.getDerivedStateFromError(n)),o=i.__d),null!=i.componentDidCatch&&(i.componentDidCatch(n,t||{}),o=i.__d),o)return i.__E=i}catch(l){n=l}throw n}',
    '__e:function(n){throw n}',
    'error boundaries: with none to find, the search ends in the same `throw`',
  ],
  ['||!p.__e&&null!=p.shouldComponentUpdate&&!1===p.shouldComponentUpdate(x,p.__s,P)', '', 'shouldComponentUpdate: class only'],
  ['null!=p.componentWillUpdate&&p.componentWillUpdate(x,p.__s,P),', '', 'componentWillUpdate: class only'],
  ['null!=p.getChildContext&&(i=m(m({},i),p.getChildContext())),', '', 'getChildContext: class only'],
  ['if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(n){l.__e(n,u)}', '', 'componentWillUnmount: class only'],
  [',"function"==typeof l&&null!=l.defaultProps)for(o in l.defaultProps)void 0===e[o]&&(e[o]=l.defaultProps[o]);', ');', 'defaultProps'],
  ['u.__v!=t.__v&&(p.props=x,p.state=p.__s,p.__d=!1),', '', 'the update shouldComponentUpdate refused'],
  ['w.push.apply(p.__h,p._sb),p._sb=[],p.__h.length&&e.push(p),f=$(t);break n', 'f=$(t);break n', 'setState callbacks of a skipped update'],
  ['do{p.__d=!1,A&&A(u),s=p.render(p.props,p.state,p.context),p.state=p.__s}while(p.__d&&++H<25);', 's=p.render(p.props,p.state,p.context);', 're-rendering a component that set state while rendering (hooks)'],
  [
    'i=[],o="function"==typeof Promise?Promise.prototype.then.bind(Promise.resolve()):setTimeout,e=function(n,l){return n.__v.__b-l.__v.__b},H.__r=0,',
    '',
    'the render queue of setState (its scheduler and depth sort)',
  ],

  // Option hooks that nothing sets.
  ['null==o&&null!=l.vnode&&l.vnode(e),', '', 'options.vnode'],
  ['l.event?l.event(u):u', 'u', 'options.event'],
  ['A=l.__r,', 'A=0,', 'options._render'],
  ['l.__c&&l.__c(u,n),', '', 'options._commit'],
  ['l.unmount&&l.unmount(n),', '', 'options.unmount'],

  // Rendering into an element that already has children (hydration, or reusing them): ours are
  // always fresh and empty (src/ui/mount.ts), and nothing suspends (no thrown promise).
  [
    't==document&&(t=document.documentElement),l.__&&l.__(u,t),o=(r="function"==typeof i)?null:i&&i.__k||t.__k,e=[],f=[],q(t,u=(!r&&i||t).__k=k(S,null,[u]),o||d,d,t.namespaceURI,!r&&i?[i]:o?null:t.firstChild?n.call(t.childNodes):null,e,!r&&i?i:o?o.__e:t.firstChild,r,f)',
    'o=t.__k,e=[],f=[],q(t,u=t.__k=k(S,null,[u]),o||d,d,t.namespaceURI,null,e,o?o.__e:t.firstChild,!1,f)',
    'render() into a document, hydrate() and replaceNode, and options._root',
  ],
  ['128&t.__u&&(c=!!(32&t.__u),o=[f=u.__e=t.__e]),(s=l.__b)&&s(u);n:', 'n:', 'resuming a suspended tree, and options._diff'],
  [
    'if(e.length=h,u.__v=null,c||null!=o){if(n.then){for(u.__u|=c?160:128;f&&8==f.nodeType&&f.nextSibling;)f=f.nextSibling;null!=o&&(o[o.indexOf(f)]=null),u.__e=f}else if(null!=o)for(j=o.length;j--;)b(o[j])}else u.__e=t.__e;',
    'e.length=h,u.__v=null,u.__e=t.__e;',
    'suspending, and an error while hydrating',
  ],
  ['else null==o&&u.__v==t.__v?', 'else u.__v==t.__v?', 'no existing children to adopt'],
  ['return(s=l.diffed)&&s(u),128&u.__u?void 0:f', 'return f', 'suspended trees, and options.diffed'],
  [
    ',null!=e)for(s=0;s<e.length;s++)if((y=e[s])&&"setAttribute"in y==!!x&&(x?y.localName==x:3==y.nodeType)){u=y,e[s]=null;break}if(null==u){',
    ',null==u){',
    'adopting an existing element',
  ],
  [',c&&(l.__m&&l.__m(t,e),c=!1),e=null}', '}', 'hydration mismatch, and options._hydrationMismatch'],
  ['m===k||c&&u.data==k||(u.data=k)', 'm===k||(u.data=k)', 'hydrating a text node'],
  [
    'if(e="textarea"==x&&null!=k.defaultValue?null:e&&n.call(u.childNodes),!c&&null!=e)for(m={},s=0;s<u.attributes.length;s++)m[(y=u.attributes[s]).name]=y.value;',
    '',
    'reading an adopted element\'s attributes',
  ],
  ['c&&"function"!=typeof y||m[s]===y', 'm[s]===y', 'hydrating props'],
  [',null!=e)for(s=e.length;s--;)b(e[s]);c&&"textarea"!=x||(', ');(', 'removing adopted children left over, and hydrating value'],
  ['e?e[0]:i.__k&&$(i,0)', 'i.__k&&$(i,0)', 'the first adopted child'],

  // A function component's instance keeps only what rendering it again needs: no state, no render
  // callbacks (hooks and class lifecycles queue them), no parent pointers for setState.
  ['p.state||(p.state={}),p.__n=i,v=p.__d=!0,p.__h=[],p._sb=[]', 'v=!0', 'component state and callback queues'],
  // …so it need not be a Component (whose render calls the function back): a plain record, and the
  // function is called directly.
  ['(u.__c=p=new C(x,P),p.constructor=F,p.render=Q)', '(u.__c=p={})', 'the Component instance of a function component'],
  ['else s=p.render(p.props,p.state,p.context);', 'else s=F(x);', 'rendering through that instance'],
  ['C.prototype.render=S,', '', "Component's default render"],
  ['p.context=P,', '', 'the context (ours take none)'],
  ['y=p.props,d=p.state,', '', "the previous props and state (class lifecycles' arguments)"],
  [',p.__v=u,v)', ',v)', "the record's vnode (for setState)"],
  ['p.props=x,', '', "the record's props (for setState)"],
  ['p.__P=n,', '', "the component's parent DOM (for setState)"],
  ['p.state=p.__s,M&&!v', 'M&&!v', 'component state'],
  ['p.base=u.__e,', '', "the component's DOM (for setState)"],
  ['p.__h.length&&e.push(p),k&&', 'k&&', 'queueing render callbacks'],
  [
    'n.some(function(u){try{n=u.__h,u.__h=[],n.some(function(n){n.call(u)})}catch(n){l.__e(n,u.__v)}})',
    '0',
    'running render callbacks',
  ],
  ['t.__c?k=(p=u.__c=t.__c).__=p.__E:', 't.__c?p=u.__c=t.__c:', 'resuming after an error boundary caught'],
  ['k&&(p.__E=p.__=null)', '0', 'the same'],
  ['p.__e=!1,', '', "the component's force-update flag (only setState, forceUpdate and errors set it)"],
  ['n.then||B(u),', '', 'forcing a failed subtree to update'],
  [
    'if((i=n.ref)&&(i.current&&i.current!=n.__e||J(i,null,u)),null!=(i=n.__c)){i.base=i.__P=i.__n=null}',
    '(i=n.ref)&&(i.current&&i.current!=n.__e||J(i,null,u));',
    'clearing those on unmount',
  ],

  // A <Fragment> a component returns is diffed as its one child instead of being unwrapped first (the
  // same DOM: a Fragment has none), and no child of ours is bigint or a String object.
  ['T=null!=s&&s.type===S&&null==s.key?E(s.props.children):s', 'T=s', 'unwrapping a Fragment a component returns'],
  // Every vnode is made at the paint that renders it (the widget's and the placeholders' trees are
  // drawn afresh each time, none kept or shared), so none is ever rendered a second time: Preact's
  // copy of a vnode already in a tree, and the depth it tells one by, are never needed. An object
  // that is no vnode (no `constructor: undefined`) is still refused when it is diffed.
  [
    ':void 0===o.constructor&&o.__b>0?o=n.__k[r]=x(o.type,o.props,o.key,o.ref?o.ref:null,o.__v):n.__k[r]=o',
    ':n.__k[r]=o',
    'copying a vnode that is already in a tree',
  ],
  ['o.__=n,o.__b=n.__b+1,', 'o.__=n,', "a vnode's depth (read only to tell one already in a tree, and by the render queue)"],
  [',__:null,__b:0,', ',__:null,', 'the depth of a new vnode'],
  // Preact leaves comment nodes only where it hydrates server-rendered markup; ours render into
  // fresh, empty boxes, so the next sibling of a node it placed is never one to skip.
  ['do{l=l&&l.nextSibling}while(null!=l&&8==l.nodeType)', 'l=l&&l.nextSibling', 'skipping comment nodes after an inserted node'],
  [
    '"string"==typeof o||"number"==typeof o||"bigint"==typeof o||o.constructor==String?',
    '"string"==typeof o||"number"==typeof o?',
    'bigint and String-object children',
  ],

  // Refs: ours are callbacks (`ref={(el) => …}`), never ref objects nor callbacks returning a cleanup.
  [
    'function J(n,u,t){try{if("function"==typeof n){var i="function"==typeof n.__u;i&&n.__u(),i&&null==u||(n.__u=n(u))}else n.current=u}catch(n){l.__e(n,t)}}',
    'function J(n,u){n(u)}',
    'ref objects and ref cleanups',
  ],
  ['(i.current&&i.current!=n.__e||J(i,null,u))', 'J(i,null,u)', "a ref object's check on unmount (a callback has no `current`)"],

  // Keys: no element of ours has one, so every child's key is null or undefined, which compare equal.
  ['"key"==o?i=u[o]:"ref"==o?r=u[o]:e[o]=u[o]', '"ref"==o?r=u[o]:e[o]=u[o]', 'the key prop'],
  [
    'var i,r,o,e=n.key,f=n.type,c=l[u],a=null!=c&&0==(2&c.__u);if(null===c&&null==e||a&&e==c.key&&f==c.type)return u;',
    'var i,r,o,f=n.type,c=l[u],a=null!=c&&0==(2&c.__u);if(null===c||a&&f==c.type)return u;',
    'matching an old child by key in its own place',
  ],
  ['&&0==(2&c.__u)&&e==c.key&&f==c.type)return o', '&&0==(2&c.__u)&&f==c.type)return o', 'matching an old child by key elsewhere'],

  // Capture-phase listeners (`onClickCapture`): ours all listen in the bubbling phase.
  ['r=l!=(l=l.replace(s,"$1")),', 'r=!1,', 'the Capture suffix of an event prop'],
  ['n.addEventListener(l,r?v:p,r)):n.removeEventListener(l,r?v:p,r)', 'n.addEventListener(l,p)):n.removeEventListener(l,p)', 'capture listeners'],
  ['s=/(PointerCapture)$|Capture$/i,', '', 'the Capture suffix pattern'],
  ['o in n||"onFocusOut"==l||"onFocusIn"==l?', 'o in n?', 'onFocusIn/onFocusOut, which no element of ours has'],
  [',p=V(!1),v=V(!0),', ',p=V(!1),', 'the capture-phase event proxy'],
  ['n.l[l+r]=u', 'n.l[l]=u', 'listeners kept by event and phase: by event alone'],
  ['var t=this.l[u.type+n]', 'var t=this.l[u.type]', 'the same, where the proxy looks one up'],

  // Props no element of ours has: style (the stylesheet does it), SVG and MathML, and
  // dangerouslySetInnerHTML (config text is never HTML; this is Preact's only `innerHTML` write).
  [
    'n:if("style"==l)if("string"==typeof u)n.style.cssText=u;else{if("string"==typeof t&&(n.style.cssText=t=""),t)for(l in t)u&&l in u||z(n.style,l,"");if(u)for(l in u)t&&u[l]==t[l]||z(n.style,l,u[l])}else if("o"==l[0]',
    'n:if("o"==l[0]',
    'the style prop',
  ],
  ['if("http://www.w3.org/2000/svg"==i)l=l.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if("width"', 'if("width"', 'SVG attribute names'],
  [
    '"svg"==x?o="http://www.w3.org/2000/svg":"math"==x?o="http://www.w3.org/1998/Math/MathML":o||(o="http://www.w3.org/1999/xhtml")',
    'o||(o="http://www.w3.org/1999/xhtml")',
    'SVG and MathML namespaces',
  ],
  ['"foreignObject"==x?"http://www.w3.org/1999/xhtml":o', 'o', 'SVG foreignObject'],
  ['"template"==t.type?u.content:u', 'u', '<template> contents'],
  [
    '"width"!=l&&"height"!=l&&"href"!=l&&"list"!=l&&"form"!=l&&"tabIndex"!=l&&"download"!=l&&"rowSpan"!=l&&"colSpan"!=l&&"role"!=l&&"popover"!=l&&l in n',
    '"href"!=l&&"role"!=l&&l in n',
    'props set as attributes although the element has a property of that name: ours are only href and role',
  ],
  ['"popover"==l&&1==u?"":u', 'u', 'the popover prop'],
  [
    '"progress"==x&&null==w?u.removeAttribute("value"):null!=w&&(w!==u[s]||"progress"==x&&!w||"option"==x&&w!=m[s])&&N(u,s,w,m[s],o)',
    'null!=w&&w!==u[s]&&N(u,s,w,m[s],o)',
    '<progress> and <option> values',
  ],
  ['"dangerouslySetInnerHTML"==s?p=y:', '', 'dangerouslySetInnerHTML (old props)'],
  ['"dangerouslySetInnerHTML"==s?h=y:', '', 'dangerouslySetInnerHTML (new props)'],
  [
    'if(h)c||p&&(h.__html==p.__html||h.__html==u.innerHTML)||(u.innerHTML=h.__html),t.__k=[];else if(p&&(u.innerHTML=""),L(',
    'if(L(',
    'dangerouslySetInnerHTML',
  ],

  // With no error boundary to find (see above), `options._catchError` only throws the error again:
  // Preact throws it itself, and the `options` object is left with nothing in it. (This one matches
  // only after the edits above.)
  ['null==u.__k&&(u.__k=t.__k||[]),l.__e(n,u,t)}', 'null==u.__k&&(u.__k=t.__k||[]);throw n}', 'passing an error to options._catchError'],
  // Props with handling of their own that no element of ours has: `value` (set after the children,
  // for <select>), `defaultValue` and `defaultChecked` (which keep an old `value` or `checked`), and
  // `is` (customized built-in elements). Our only form control is a checkbox with `checked`.
  ['||"value"==s&&"defaultValue"in k||"checked"==s&&"defaultChecked"in k||N(u,s,null,y,o)', '||N(u,s,null,y,o)', 'defaultValue and defaultChecked'],
  ['"value"==s?w=y:"checked"==s?_=y:', '"checked"==s?_=y:', 'the value prop, held back'],
  ['(s="value",null!=w&&w!==u[s]&&N(u,s,w,m[s],o),s="checked",', '(s="checked",', 'the value prop, set after the children'],
  ['document.createElementNS(o,x,k.is&&k)', 'document.createElementNS(o,x)', 'the is prop'],
  // A vnode diffed against itself (rendered again, as a memoized child is) keeps its DOM as it is:
  // ours are all made afresh at each paint (see the copy of a vnode above), so none ever is.
  ['u.__v==t.__v){u.__e=t.__e,u.__k=t.__k,u.__k.some(function(n){n&&(n.__=u)}),f=$(t);break n}', '!1){}', 'a component vnode rendered again'],
  ['throw n}}else u.__v==t.__v?(u.__k=t.__k,u.__e=t.__e):f=u.__e=G(', 'throw n}}else f=u.__e=G(', 'an element vnode rendered again'],
  // With key matching cut (see Keys above), no vnode's key is ever read.
  ['{type:n,props:t,key:i,ref:r,', '{type:n,props:t,ref:r,', "a vnode's key"],
];

/** Applies every edit to Preact's module text; throws naming the first one that does not match exactly once. */
export function trimPreact(code) {
  return edits.reduce((text, [from, to, why]) => {
    const count = text.split(from).length - 1;
    if (count != 1) {
      throw new Error(`scripts/trim-preact.mjs: the edit for "${why}" matches ${count} times in preact ${preactVersion}'s module (expected once); re-check the edits against the installed Preact`);
    }
    return text.replace(from, () => to);
  }, code);
}

/** A Rollup plugin that trims Preact's module as it loads (script-tag build only). */
export function trimPreactPlugin() {
  return {
    name: 'trim-preact',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.module\.js$/.test(id)) return null;
      try {
        return { code: trimPreact(code), map: null };
      } catch (e) {
        this.error(e.message);
      }
    },
  };
}
