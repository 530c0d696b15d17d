// A module for the gating tests (document.currentScript is null in modules).
window.ran.push('module');
