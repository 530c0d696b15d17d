// Test-page helpers: record console-visible events, and prove the page's own code still runs.
window.events = [];
document.addEventListener('consentseal:change', (e) => window.events.push('change:' + e.detail.status));
if (window.ConsentSeal && window.ConsentSeal.on) {
  for (const name of ['show', 'hide', 'error']) window.ConsentSeal.on(name, (p) => window.events.push(name + ':' + (p.view || p.code)));
}
document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('page-button').addEventListener('click', () => { document.getElementById('page-result').textContent = 'page works'; });
});
