{% autoescape off %}// The field view's service worker (README, "Offline field view"). Version {{ version }}.
// Workbox's modules are served by this site (static/vendor/workbox-7.4.1), never from a CDN.
// It keeps two things: the field pages' static files (precached, one revision per file) and the field
// pages the worker opened or the phone warmed (network first, the copy when there is no signal).
// Queued visits are not here: they live in IndexedDB (static/js/field-queue.js), which no version of
// this worker deletes, so a new version never drops a visit that waits.
importScripts("{{ workbox_sw }}");
var MODULES = {{ modules }};
workbox.setConfig({ debug: false, modulePathCb: function (name) { return MODULES[name]; } });

var precaching = workbox.precaching;
var routing = workbox.routing;
var strategies = workbox.strategies;
var cacheable = workbox.cacheableResponse;

self.addEventListener("install", function () { self.skipWaiting(); });
workbox.core.clientsClaim();
precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute({{ precache }});

var PAGES = "field-pages";
var NOT_KEPT = {{ not_kept }};  // answers about the session and the device: never kept
// Words of the page shown for a page not kept on the phone (escaped for HTML and JavaScript by the view).
var WORDS = {{ words }};

// Only a page itself is kept: never a login page reached by a redirect, never an error.
var onlyThePage = {
  cacheWillUpdate: function (args) {
    var r = args.response;
    return Promise.resolve(r && r.status === 200 && !r.redirected && r.type === "basic" ? r : null);
  }
};

function page(search) {
  return new strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 8,
    // A visit page is the same page whichever row it was opened from (?next= says only where to return).
    matchOptions: { ignoreVary: true, ignoreSearch: !search },
    plugins: [onlyThePage, new cacheable.CacheableResponsePlugin({ statuses: [200] })]
  });
}

routing.registerRoute(
  function (options) {
    var url = options.url;
    return options.request.method === "GET" && url.origin === self.location.origin &&
      url.pathname.indexOf("/field/visit/") === 0;
  },
  page(false)
);

routing.registerRoute(
  function (options) {
    var url = options.url;
    return options.request.method === "GET" && url.origin === self.location.origin &&
      url.pathname.indexOf("/field/") === 0 && NOT_KEPT.indexOf(url.pathname) === -1;
  },
  page(true)
);

routing.setCatchHandler(function (options) {
  if (options.request.destination !== "document") return Promise.resolve(Response.error());
  var body = '<!doctype html><html><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<link rel="stylesheet" href="' + WORDS.css + '"><title>' + WORDS.title + '</title></head>' +
    '<body class="field"><main class="field-main"><article class="card"><h1>' + WORDS.title + '</h1>' +
    '<p>' + WORDS.text + '</p><p><a href="' + WORDS.back_url + '">' + WORDS.back + '</a></p></article></main></body></html>';
  return Promise.resolve(new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }));
});
{% endautoescape %}
