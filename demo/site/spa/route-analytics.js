// Runs each time the "Teas" route is rendered with analytics granted.
{
  window.routeViews = (window.routeViews ?? 0) + 1;
  const el = document.getElementById('analytics-status');
  if (el) {
    el.dataset.on = 'true';
    el.textContent = `Analytics is on: ${window.routeViews} route view(s) counted in this session.`;
  }
}
