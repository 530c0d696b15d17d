// An external script for the gating tests: records its name (?n=) and whether it ran async.
(window.ran ||= []).push(new URL(document.currentScript.src).searchParams.get('n') + (document.currentScript.async ? ':async' : ''));
