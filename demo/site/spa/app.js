import { createConsent } from 'consentseal';

// One instance for the whole app: created once, before the first route renders.
const consent = createConsent(window.consentsealConfig);
window.consent = consent;

const routes = {
  '/spa/': () => `<h1>Welcome</h1><p>Choose a route above. Each route renders on the client; the consent banner appears once, on the first visit.</p>`,
  '/spa/teas': () =>
    `<h1>Teas</h1><p id="analytics-status" class="status">Analytics is off on this route.</p>` +
    // Added on every visit to this route: the SDK's observer gates it like any script in the first HTML.
    `<script type="text/plain" data-consent="analytics" src="/spa/route-analytics.js"></script>`,
  '/spa/account': () => `<h1>Account</h1><p>Consent ID: <code id="consent-id"></code></p>`,
};

function render() {
  const view = document.getElementById('view');
  const route = routes[location.pathname] ?? routes['/spa/'];
  const tpl = document.createElement('template');
  tpl.innerHTML = route();
  view.replaceChildren(tpl.content);
  const id = document.getElementById('consent-id');
  if (id) id.textContent = consent.getState().subjectId;
}

document.getElementById('spa-nav').addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (!a || !a.pathname.startsWith('/spa/')) return;
  e.preventDefault();
  history.pushState(null, '', a.pathname);
  render();
});
addEventListener('popstate', render);
render();
