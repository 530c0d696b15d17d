// Stands in for a recommendation/ads tag: runs only once "marketing" is granted.
(() => {
  document.cookie = '_reco=green-teas; Path=/; Max-Age=31536000; SameSite=Lax';
  const el = document.getElementById('marketing-status');
  if (el) {
    el.dataset.on = 'true';
    el.textContent = 'Marketing is on: recommended for you — Sencha Superior, Dragon Well, Gyokuro.';
  }
})();
