/**
 * The audit console in the browser (built to dist/dashboard.js, served at /dashboard/dashboard.js).
 * Plain DOM code: views render from the JSON API under /dashboard/api/ (session cookie auth), every
 * receipt value goes in as text, charts are SVG built with createElementNS. Routes live in the hash:
 * `#/` overview, `#/search?…`, `#/subject/<id>`, `#/verify`.
 */
import type { VerifyReport } from '../verify-store';
import { barChart, rateChart, shareBar } from './charts';
import { h, num, pct, replace, type Child } from './dom';
import type { Check, InspectedReceipt } from './inspect';
import type { OverviewAnswer, Slice, VersionSlice } from './overview';

const ACTIONS = ['accept-all', 'reject-all', 'custom', 'withdraw'] as const;
const main = document.getElementById('app')!;

class Unauthorized extends Error {}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`/dashboard/api/${path}`, { credentials: 'same-origin', headers: { accept: 'application/json' }, ...init });
  if (res.status === 401) throw new Unauthorized('Your session has ended.');
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

/** Bumped on every navigation: a view whose data arrives after the visitor moved on is dropped. */
let generation = 0;

/** Puts a view on screen, unless another navigation started since `g`. */
function show(g: number, ...children: Child[]): boolean {
  if (g !== generation) return false;
  replace(main, ...children);
  return true;
}

/** Marks the view as rendered (tests and the big-store benchmark wait for this). */
function done(view: string): void {
  main.dataset.view = view;
  main.dataset.state = 'ready';
  performance.mark(`consentseal:${view}`);
}

const card = (label: string, value: string, testId: string): HTMLElement =>
  h('div', { class: 'card' }, h('span', { class: 'value', 'data-testid': testId }, value), h('span', { class: 'label' }, label));

/** A table; `foot` rows (a sum of what the body does not list) go in a `tfoot`, apart from the named rows. */
const table = (head: string[], rows: Child[][], testId: string, numeric: (i: number) => boolean = (i) => i > 0, foot: Child[][] = []): HTMLElement => {
  const row = (r: Child[]) => h('tr', null, ...r.map((c, i) => h('td', { class: numeric(i) ? 'num' : undefined }, c)));
  return h(
    'table',
    { 'data-testid': testId },
    h('thead', null, h('tr', null, ...head.map((t, i) => h('th', { scope: 'col', class: numeric(i) ? 'num' : undefined }, t)))),
    h('tbody', null, ...rows.map(row)),
    foot.length ? h('tfoot', null, ...foot.map(row)) : null,
  );
};

const plural = (n: number, noun: string): string => `${num(n)} ${noun}${n === 1 ? '' : 's'}`;
const sliceCells = (sl: Slice): string[] => [num(sl.total), ...ACTIONS.map((a) => pct(sl.actions[a] ?? 0, sl.total)), pct(sl.gpc, sl.total)];
const SLICE_HEAD = ['Receipts', 'Accept all', 'Reject all', 'Custom', 'Withdraw', 'GPC on'];

async function overview(q: URLSearchParams): Promise<void> {
  const g = generation;
  const params = new URLSearchParams();
  for (const k of ['from', 'to']) if (q.get(k)) params.set(k, q.get(k)!);
  const o = await api<OverviewAnswer>(`overview?${params}`);
  const from = h('input', { id: 'ov-from', name: 'from', type: 'date', value: o.window.from });
  const to = h('input', { id: 'ov-to', name: 'to', type: 'date', value: o.window.to });
  const form = h(
    'form',
    { class: 'filters' },
    h('div', null, h('label', { for: 'ov-from' }, 'From day (UTC)'), from),
    h('div', null, h('label', { for: 'ov-to' }, 'To day (UTC, inclusive)'), to),
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (from.value) p.set('from', from.value);
    if (to.value) p.set('to', to.value);
    location.hash = `#/?${p}`;
  });
  const a = o.all;
  const purposeIds = Object.keys(o.purposes).sort();
  const versions = Object.keys(o.policyVersions).sort();
  const versionRow = (label: Child, sl: VersionSlice): Child[] => [
    label, sl.firstDay, sl.lastDay, ...sliceCells(sl),
    ...purposeIds.map((id) => {
      const p = sl.purposes[id];
      return p ? pct(p.granted, p.granted + p.denied) : '—';
    }),
  ];
  const shown = show(
    g,
    h('h1', null, 'Overview'),
    form,
    h(
      'div',
      { class: 'cards' },
      card('Receipts', num(a.total), 'total'),
      card('Accept all', pct(a.actions['accept-all'] ?? 0, a.total), 'share-accept-all'),
      card('Reject all', pct(a.actions['reject-all'] ?? 0, a.total), 'share-reject-all'),
      card('Custom', pct(a.actions.custom ?? 0, a.total), 'share-custom'),
      card('Withdraw', pct(a.actions.withdraw ?? 0, a.total), 'share-withdraw'),
      card('GPC on', pct(a.gpc, a.total), 'share-gpc'),
      card('Chains with a gap', num(o.incompleteChains), 'incomplete'),
    ),
    h('h2', null, 'Receipts per day'),
    o.days.length ? barChart(o.days, o.perDay, 'Receipts per day', 'chart-per-day') : h('p', { class: 'muted' }, 'No receipts in this range.'),
    h('h2', null, 'Acceptance rate per purpose over time'),
    rateChart(o.days, purposeIds.map((id) => ({ name: id, values: o.purposes[id]!.rateByDay })), 'Share of receipts granting each purpose, per day', 'chart-purposes'),
    table(
      ['Purpose', 'Granted', 'Denied', 'Acceptance'],
      purposeIds.map((id) => {
        const p = o.purposes[id]!;
        return [id, num(p.granted), num(p.denied), pct(p.granted, p.granted + p.denied)];
      }),
      'purposes',
    ),
    h('h2', null, 'Decisions'),
    shareBar([...ACTIONS.map((x) => ({ name: x, n: a.actions[x] ?? 0 }))], 'Share of each decision type', 'chart-actions'),
    table(['Decision', 'Receipts', 'Share'], ACTIONS.map((x) => [x, num(a.actions[x] ?? 0), pct(a.actions[x] ?? 0, a.total)]), 'actions'),
    h('h2', null, 'By policy version'),
    table(
      ['Policy version', 'First day', 'Last day', ...SLICE_HEAD, ...purposeIds.map((id) => `${id} accepted`)],
      versions.map((v) => versionRow(v, o.policyVersions[v]!)),
      'versions',
      (i) => i > 2,
      // Not a named row: a real policy version may be called "(other)" or anything else.
      o.otherPolicyVersionsSum ? [versionRow(h('em', null, `all others (${plural(o.otherPolicyVersions, 'version')})`), o.otherPolicyVersionsSum)] : [],
    ),
    h('h2', null, 'By language'),
    table(['Language', ...SLICE_HEAD], Object.keys(o.languages).sort().map((l) => [l, ...sliceCells(o.languages[l]!)]), 'languages'),
    o.otherPolicyVersions + o.otherLanguages + o.otherPurposes
      ? h(
          'p',
          { class: 'muted', 'data-testid': 'other-note' },
          `Only the most frequent are listed by name; the rest are summed (policy versions as “all others”, languages and purposes as (other)): ${plural(o.otherPolicyVersions, 'policy version')}, ${plural(o.otherLanguages, 'language')}, ${plural(o.otherPurposes, 'purpose')}.`,
        )
      : null,
  );
  if (shown) done('overview');
}

interface SearchHit {
  receiptId: string; subjectId: string; seq: number; issuedAt: string; storedAt: string; action: string; method: string;
  policyVersion: string; language: string; gpc: boolean; page: string; chainStatus: string;
}

/** The search filter as API parameters: days become ISO bounds (`to` inclusive in the form, exclusive in the API). */
function apiFilter(q: URLSearchParams): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of ['subjectId', 'receiptId', 'from']) if (q.get(k)) p.set(k, q.get(k)!.trim());
  const to = q.get('to');
  if (to) {
    const t = Date.parse(`${to}T00:00:00Z`);
    p.set('to', Number.isNaN(t) ? to : new Date(t + 86_400_000).toISOString().slice(0, 10));
  }
  return p;
}

async function search(q: URLSearchParams): Promise<void> {
  const g = generation;
  const field = (name: string, label: string, type = 'text') =>
    h('div', null, h('label', { for: `q-${name}` }, label), h('input', { id: `q-${name}`, name, type, value: q.get(name) ?? '', size: type === 'text' ? 38 : undefined }));
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    field('subjectId', 'Subject id'),
    field('receiptId', 'Receipt id'),
    field('from', 'Issued from (UTC day)', 'date'),
    field('to', 'Issued to (UTC day, inclusive)', 'date'),
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) p.set(k, v.trim());
    location.hash = `#/search?${p}`;
  });
  const filter = apiFilter(q);
  const body = h('tbody');
  const results = h(
    'table',
    { 'data-testid': 'results' },
    h('thead', null, h('tr', null, ...['Issued at (UTC)', 'Receipt id', 'Subject', 'Seq', 'Decision', 'How', 'Policy version', 'Language', 'GPC', 'Chain'].map((t) => h('th', { scope: 'col' }, t)))),
    body,
  );
  const status = h('p', { class: 'muted', 'data-testid': 'result-count' });
  const more = h('button', { type: 'button', hidden: true }, 'Next page');
  const exportQs = (format: string) => {
    const p = new URLSearchParams(filter);
    p.set('format', format);
    return `/dashboard/api/export?${p}`;
  };
  show(
    g,
    h('h1', null, 'Search receipts'),
    form,
    h('p', null, 'Export this result: ', h('a', { href: exportQs('ndjson'), download: 'consentseal-receipts.ndjson' }, 'NDJSON'), ' · ', h('a', { href: exportQs('csv'), download: 'consentseal-receipts.csv' }, 'CSV')),
    status,
    results,
    more,
  );
  let shown = 0;
  const load = async (after?: { issuedAt: string; receiptId: string }): Promise<void> => {
    const p = new URLSearchParams(filter);
    p.set('limit', '50');
    if (after) p.set('afterIssuedAt', after.issuedAt), p.set('afterReceiptId', after.receiptId);
    const r = await api<{ receipts: SearchHit[]; next: { issuedAt: string; receiptId: string } | null }>(`receipts?${p}`);
    for (const x of r.receipts) {
      body.append(
        h(
          'tr',
          null,
          h('td', null, x.issuedAt),
          h('td', null, h('a', { href: `#/subject/${encodeURIComponent(x.subjectId)}?seq=${x.seq}` }, x.receiptId)),
          h('td', null, h('a', { href: `#/subject/${encodeURIComponent(x.subjectId)}` }, x.subjectId)),
          h('td', { class: 'num' }, x.seq),
          h('td', null, x.action),
          h('td', null, x.method),
          h('td', null, x.policyVersion),
          h('td', null, x.language),
          h('td', null, x.gpc ? 'on' : 'off'),
          h('td', null, x.chainStatus),
        ),
      );
    }
    shown += r.receipts.length;
    status.textContent = `${num(shown)} receipt${shown === 1 ? '' : 's'} shown${r.next ? ' (more available)' : ''}.`;
    more.hidden = !r.next;
    more.onclick = r.next ? () => void load(r.next!).catch(fail) : null;
  };
  await load();
  if (g === generation) done('search');
}

const badge = (c: Check, ok: string, bad: string, testId: string, warn?: string): HTMLElement =>
  h('li', { class: `badge ${!c.ok ? 'bad' : warn ? 'warn' : 'ok'}`, 'data-testid': testId }, !c.ok ? bad : (warn ?? ok));

const json = (v: unknown): string => JSON.stringify(v, null, 2);

function receiptView(r: InspectedReceipt, highlight: boolean): HTMLElement {
  const x = r.stored;
  const problems = [...r.signature.problems, ...r.fields.problems, ...r.chain.problems, ...r.ack.problems.map((p) => `countersignature: ${p}`)];
  const broken = problems.length > 0;
  const granted = Object.entries(x.purposes).map(([id, on]) => `${id}: ${on ? 'granted' : 'denied'}`).join(', ');
  const facts: Array<[string, Child]> = [
    ['Receipt id', x.receiptId],
    ['Decision', `${x.action} (via ${x.method})`],
    ['Purposes', granted],
    ['Issued at (signed)', x.issuedAt],
    ['Stored at (collector)', x.storedAt],
    ['Page', x.page],
    ['Policy version', x.policyVersion],
    ['Policy URL', x.policyUrl],
    ['Notice hash', x.noticeHash],
    ['Language', x.language],
    ['Global Privacy Control', x.gpc ? 'on' : 'off'],
    ['Key', `${x.kid}${x.ephemeralKey ? ' (ephemeral)' : ''}`],
    ['SDK', x.sdk],
    ['prev', x.prev ?? '(none: first receipt)'],
    ['JWS hash', x.jwsHash],
  ];
  return h(
    'article',
    { class: `receipt${broken ? ' broken' : ''}`, id: `seq-${x.seq}`, 'data-testid': 'receipt', 'data-seq': x.seq, 'data-receipt-id': x.receiptId, 'aria-current': highlight ? 'true' : undefined },
    h('h3', null, `#${x.seq} · ${x.action} · ${x.issuedAt}`),
    h(
      'ul',
      { class: 'badges' },
      badge(r.signature, 'Signature valid', 'Signature INVALID', 'sig-status'),
      badge(r.fields, 'Stored fields match', 'Stored fields DIFFER', 'fields-status', r.fields.skipped ? 'Stored fields not comparable (signature invalid)' : undefined),
      badge(r.chain, 'Chain linked', 'Chain BROKEN', 'chain-status', r.chain.gap ? 'Chain gap (earlier receipt missing)' : undefined),
      badge(r.ack, 'Countersignature valid', 'Countersignature INVALID', 'ack-status'),
    ),
    broken ? h('ul', { class: 'problems', 'data-testid': 'receipt-problems' }, ...problems.map((p) => h('li', null, p))) : null,
    h('table', { class: 'facts' }, h('tbody', null, ...facts.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v))))),
    h('details', null, h('summary', null, 'Signed header and payload'), h('pre', { 'data-testid': 'jws-header' }, json(r.header)), h('pre', { 'data-testid': 'jws-payload' }, json(r.payload))),
    h('details', null, h('summary', null, 'Collector countersignature'), h('pre', { 'data-testid': 'ack-decoded' }, json({ header: r.ack.header, payload: r.ack.payload }))),
    h('details', null, h('summary', null, 'Compact JWS and ack'), h('pre', null, x.jws), h('pre', null, x.ack)),
  );
}

async function subject(id: string, q: URLSearchParams): Promise<void> {
  const g = generation;
  type Page = { subjectId: string; boundKid: string | null; collectorKid: string; receipts: InspectedReceipt[]; nextSeq: number | null };
  const list = h('div', { 'data-testid': 'chain' });
  const summary = h('p', { 'data-testid': 'chain-summary' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more receipts');
  const focus = Number(q.get('seq')) || 0;
  let count = 0;
  let bad = 0;
  const load = async (afterSeq: number): Promise<Page> => {
    const page = await api<Page>(`subjects/${encodeURIComponent(id)}?afterSeq=${afterSeq}`);
    for (const r of page.receipts) {
      count++;
      if (!(r.signature.ok && r.fields.ok && r.chain.ok && r.ack.ok)) bad++;
      list.append(receiptView(r, r.stored.seq === focus));
    }
    summary.textContent = count
      ? `${num(count)} receipt${count === 1 ? '' : 's'} in seq order; ${bad ? `${num(bad)} with problems` : 'every signature, link and countersignature checks out'}.`
      : 'No receipts stored for this subject.';
    more.hidden = page.nextSeq === null;
    more.onclick = page.nextSeq === null ? null : () => void load(page.nextSeq!).catch(fail);
    return page;
  };
  const first = await load(0);
  const shown = show(
    g,
    h('h1', null, 'Subject ', h('code', null, id)),
    h('p', { class: 'muted' }, `Bound device key: ${first.boundKid ?? '—'} · Collector key: ${first.collectorKid}`),
    h('p', null, h('a', { href: `/dashboard/api/export?format=ndjson&subjectId=${encodeURIComponent(id)}`, download: 'consentseal-subject.ndjson' }, 'Export NDJSON'), ' · ',
      h('a', { href: `/dashboard/api/export?format=csv&subjectId=${encodeURIComponent(id)}`, download: 'consentseal-subject.csv' }, 'Export CSV')),
    summary,
    list,
    more,
  );
  if (!shown) return;
  if (focus) document.getElementById(`seq-${focus}`)?.scrollIntoView();
  done('subject');
}

function verify(): void {
  const button = h('button', { type: 'button', class: 'primary' }, 'Verify every receipt');
  const out = h('div', { 'data-testid': 'verify-result' });
  button.addEventListener('click', () => {
    button.disabled = true;
    replace(out, h('p', null, 'Verifying every signature, chain, countersignature and counter…'));
    api<VerifyReport & { ms: number }>('verify', { method: 'POST' })
      .then((r) => {
        const rows: Array<[string, number]> = [
          ['Receipts checked', r.receipts], ['Subjects', r.subjects], ['Bad signatures', r.badSignatures],
          ['Stored fields differing from the signed receipt', r.fieldMismatches], ['Bad countersignatures', r.badAcks],
          ['Subjects with a key mismatch', r.keyMismatches], ['Broken chains', r.brokenChains],
          ['Chains with a gap (awaiting a receipt; not a fault)', r.incompleteChains], ['Counter mismatches', r.counterMismatches],
        ];
        replace(
          out,
          h('p', { class: r.ok ? 'badge ok' : 'badge bad', 'data-testid': 'verify-verdict' }, r.ok ? 'OK: nothing broken' : 'FAILED: problems found'),
          h('p', { class: 'muted' }, `Took ${num(r.ms)} ms.`),
          table(['Check', 'Count'], rows.map(([k, v]) => [k, num(v)]), 'verify-counts'),
          r.problems.length ? h('h2', null, 'Problems (first 100)') : null,
          r.problems.length ? h('ul', { class: 'problems', 'data-testid': 'verify-problems' }, ...r.problems.map((p) => h('li', null, p))) : null,
        );
        done('verify-report');
      })
      .catch(fail)
      .finally(() => {
        button.disabled = false;
      });
  });
  show(
    generation,
    h('h1', null, 'Verify the store'),
    h('p', null, 'Re-checks every receipt’s signature, its stored fields against the signed payload, its countersignature, each subject’s key binding and hash chain, and the daily counters (the same checks as ', h('code', null, 'consentseal-collector verify'), ').'),
    button,
    out,
  );
  done('verify');
}

function fail(e: unknown): void {
  main.dataset.state = 'error';
  replace(
    main,
    h('p', { class: 'error', role: 'alert' }, (e as Error)?.message ?? String(e)),
    e instanceof Unauthorized ? h('p', null, h('a', { href: '/dashboard' }, 'Sign in again')) : null,
  );
}

async function route(): Promise<void> {
  const g = ++generation;
  main.dataset.state = 'loading';
  delete main.dataset.view;
  replace(main, h('p', null, 'Loading…'));
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?');
  const q = new URLSearchParams(query);
  const nav = document.querySelectorAll('header nav a');
  nav.forEach((a) => a.removeAttribute('aria-current'));
  try {
    if (path === '/search') await search(q);
    else if (path === '/verify') verify();
    else if (path.startsWith('/subject/')) await subject(decodeURIComponent(path.slice('/subject/'.length)), q);
    else await overview(q);
    if (g !== generation) return;
    const current = path.startsWith('/subject/') ? '#/search' : path === '/' ? '#/' : `#${path}`;
    nav.forEach((a) => a.getAttribute('href') === current && a.setAttribute('aria-current', 'page'));
  } catch (e) {
    if (g === generation) fail(e);
  }
}

addEventListener('hashchange', () => void route());
void route();
