{% load static %}/* The offline visit app's service worker (households/field.py): keeps the app shell and
   the cadre's households list, so the page opens and its form works without a connection.
   Visits themselves wait in the page's IndexedDB queue (static/poverty/field.js), not here. */
'use strict';
var SHELL_CACHE = 'field-shell-v1';
var DATA_CACHE = 'field-data';  // the households list: emptied at logout (field.js)
var SHELL = [
  '{% url "field" %}',
  '{% url "field_manifest" %}',
  '{% static "vendor/bootstrap/bootstrap.min.css" %}',
  '{% static "vendor/bootstrap/bootstrap.bundle.min.js" %}',
  '{% static "poverty/site.css" %}',
  '{% static "poverty/page.js" %}',
  '{% static "poverty/field.js" %}',
  '{% static "poverty/field-icon-192.png" %}'
];
var HOUSEHOLDS = '{% url "field_households" %}';
var SESSION = '{% url "field_session" %}';

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf('field-shell-') === 0 && k !== SHELL_CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, cacheName) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || new Response('', { status: 503, statusText: 'offline' });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') { return; }  // uploads are the page's to queue
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === SESSION) { return; }  // never from a cache: it says who is signed in
  if (url.pathname === HOUSEHOLDS) {
    event.respondWith(networkFirst(request, DATA_CACHE));
  } else if (request.mode === 'navigate' || SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, SHELL_CACHE));
  }
});
