// Stands in for an analytics tag: runs only once "analytics" is granted, and shows that it ran.
(() => {
  const count = Number(localStorage.getItem('demo-pageviews') ?? 0) + 1;
  localStorage.setItem('demo-pageviews', String(count));
  document.cookie = '_ls_id=demo-visitor; Path=/; Max-Age=31536000; SameSite=Lax';
  const el = document.getElementById('analytics-status');
  if (el) {
    el.dataset.on = 'true';
    el.textContent = `Analytics is on: this browser has viewed ${count} page(s) since it allowed it.`;
  }
})();
