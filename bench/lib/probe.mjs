// The in-page probe, injected with addInitScript before any page script. One probe for every
// banner: it finds the accept button by its text across the document and every open shadow root,
// and times everything with performance.now() (ms since navigation start).

/**
 * Runs inside the page (serialized by Playwright: no closures over module scope).
 * @param {{ text: string }} opts
 */
export function probe({ text }) {
  const now = () => performance.now();
  const B = {
    longtasks: [], // [startTime, duration]
    shifts: [], // [startTime, value, hadRecentInput]
    writes: [], // [time, 'cookie' | 'localStorage:<key>', value]
    inDomAt: null, // first time an accept button exists (MutationObserver)
    visibleAt: null, // first frame it has a box in the viewport, visibility visible, opacity > 0.01
    opaqueAt: null, // first frame with opacity >= 0.99 (after any fade-in)
    clickAt: null, // the click event's timeStamp
    hideStartAt: null, // first frame after the click with opacity < 0.99 or no box
    goneAt: null, // first frame after the click with no visible accept button
    gatedAt: null, // set by the gated analytics script when it runs
    gatedBeforeClick: false,
    frames: 0,
  };
  Object.defineProperty(window, '__bench', { value: B, enumerable: false });

  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) B.shifts.push([e.startTime, e.value, e.hadRecentInput]);
    }).observe({ type: 'layout-shift', buffered: true });
  } catch {
    B.observerError = true;
  }

  // Every write that could persist a decision, with its time.
  const cd = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    enumerable: cd.enumerable,
    get() {
      return cd.get.call(this);
    },
    set(v) {
      B.writes.push([now(), 'cookie', String(v).slice(0, 400)]);
      cd.set.call(this, v);
    },
  });
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    if (this === window.localStorage) B.writes.push([now(), `localStorage:${k}`, String(v).slice(0, 400)]);
    return setItem.call(this, k, v);
  };

  // Finding the button: scan the document and open shadow roots; watch each root for insertions.
  const watched = new Set();
  // The per-frame check starts when an accept button is inserted (as in anchors-measured.md), so a
  // page without a banner (the returning visit) pays only for these scans on mutation.
  const mo = new MutationObserver(() => {
    if (B.inDomAt == null && find().length) {
      B.inDomAt = now();
      loop();
    }
  });
  const watch = (r) => {
    if (!watched.has(r)) {
      watched.add(r);
      mo.observe(r, { childList: true, subtree: true, characterData: true });
    }
  };
  const isButton = (el) => el.localName === 'button' || el.getAttribute('role') === 'button';
  const find = () => {
    const out = [];
    const scan = (r) => {
      for (const el of r.querySelectorAll('*')) {
        if (el.shadowRoot) {
          watch(el.shadowRoot);
          scan(el.shadowRoot);
        }
        if (isButton(el) && el.textContent.replace(/\s+/g, ' ').trim() === text) out.push(el);
      }
    };
    scan(document);
    return out;
  };
  watch(document);

  // The flat-tree parent: a slotted node's slot, a shadow root's host.
  const up = (n) => {
    if (n.assignedSlot) return n.assignedSlot;
    const p = n.parentNode;
    return p instanceof ShadowRoot ? p.host : p instanceof Element ? p : null;
  };
  /** 0 when not visible, else the product of the opacities along the flat tree. */
  const visibility = (el) => {
    if (!el.isConnected || el.getClientRects().length === 0) return 0;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return 0;
    if (getComputedStyle(el).visibility !== 'visible') return 0;
    let op = 1;
    for (let n = el; n; n = up(n)) op *= Number(getComputedStyle(n).opacity);
    return op;
  };
  const best = () => {
    let v = 0;
    for (const el of find()) v = Math.max(v, visibility(el));
    return v;
  };

  // One check per rendered frame from insertion until the banner is fully shown, and again after the
  // click until it is gone.
  let phase = 'show';
  let looping = false;
  const frame = () => {
    B.frames++;
    const t = now();
    const v = best();
    if (phase === 'show') {
      if (v > 0.01 && B.visibleAt == null) B.visibleAt = t;
      if (v >= 0.99) {
        B.opaqueAt = t;
        phase = 'idle';
      }
    } else if (phase === 'hide') {
      if (B.hideStartAt == null && v < 0.99) B.hideStartAt = t;
      if (v <= 0.01) {
        B.goneAt = t;
        phase = 'idle';
      }
    }
    looping = phase !== 'idle';
    if (looping) requestAnimationFrame(frame);
  };
  const loop = () => {
    if (!looping) {
      looping = true;
      requestAnimationFrame(frame);
    }
  };
  addEventListener(
    'click',
    (e) => {
      if (B.clickAt != null) return;
      B.clickAt = e.timeStamp;
      B.gatedBeforeClick = B.gatedAt != null;
      phase = 'hide';
      loop();
    },
    true,
  );
}
