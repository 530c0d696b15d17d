// Stands in for a Google tag (gtag.js / GTM): records the dataLayer as it was when the tag ran.
window.tagRuns = (window.tagRuns || 0) + 1;
window.tagSaw = JSON.stringify(Array.from(window.dataLayer || [], (a) => (Object.prototype.toString.call(a) === '[object Arguments]' ? Array.from(a) : a)));
