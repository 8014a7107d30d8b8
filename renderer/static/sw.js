/* Service worker template. `pebbles build` (pebbles/pwa.py) writes it to the
 * site root after a first line defining BUILD = {version, precache, offline, kill}:
 *   version  - hash of the precached files, names this build's caches;
 *   precache - asset paths relative to the root, cached at install;
 *   offline  - the page shown for a page never seen while offline (or null);
 *   kill     - true when the site retired its worker (the sw-kill switch).
 *
 * Strategy: the precached assets are cache-first (theme files are listed under
 * their content-hashed ?v= URLs, the rest are versioned by the cache name);
 * pages are network-first and fall back to the last copy seen, then to the
 * offline page, only when the network fails - so an online reader always gets
 * the current page. A new build's worker waits until the reader accepts the
 * "new version available" banner (message "skip-waiting"). */
/* global BUILD */

var PREFIX = "pebbles-";
var STATIC_CACHE = PREFIX + "static-" + BUILD.version;
var PAGE_CACHE = PREFIX + "pages-" + BUILD.version;
var MAX_PAGES = 200;
var SCOPE = self.registration.scope;
var OFFLINE_URL = BUILD.offline ? new URL(BUILD.offline, SCOPE).href : null;
var ASSETS = BUILD.precache.map(function (path) {
  return new URL(path, SCOPE).href;
});

function ourCaches() {
  return caches.keys().then(function (names) {
    return names.filter(function (name) {
      return name.indexOf(PREFIX) === 0;
    });
  });
}

function retire() {
  // The kill switch: forget everything and step aside. Open tabs are not
  // reloaded (pages register the worker again on load, and a reload here
  // would loop); their next request goes to the network, since a retiring
  // worker answers no fetch.
  return ourCaches()
    .then(function (names) {
      return Promise.all(
        names.map(function (name) {
          return caches.delete(name);
        })
      );
    })
    .then(function () {
      return self.registration.unregister();
    });
}

self.addEventListener("install", function (event) {
  if (BUILD.kill) {
    self.skipWaiting();
    return;
  }
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.addAll(OFFLINE_URL ? ASSETS.concat([OFFLINE_URL]) : ASSETS);
    })
  );
});

self.addEventListener("activate", function (event) {
  if (BUILD.kill) {
    event.waitUntil(retire());
    return;
  }
  event.waitUntil(
    ourCaches()
      .then(function (names) {
        var stale = names.filter(function (name) {
          return name !== STATIC_CACHE && name !== PAGE_CACHE;
        });
        return Promise.all(stale.map(function (name) {
          return caches.delete(name);
        }));
      })
      .then(function () {
        // Take over pages opened before the first install, so they work offline too.
        return self.clients.claim();
      })
  );
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

function trimPages(cache) {
  return cache.keys().then(function (keys) {
    // keys() is in insertion order: drop the oldest beyond the limit.
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

function remember(request, response) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    // Delete first so the fresh copy moves to the end of the insertion order.
    return cache
      .delete(request)
      .then(function () {
        return cache.put(request, response);
      })
      .then(function () {
        return trimPages(cache);
      });
  });
}

function networkFirst(event) {
  var request = event.request;
  return fetch(request)
    .then(function (response) {
      if (response.ok && response.type === "basic") {
        event.waitUntil(remember(request, response.clone()));
      }
      return response;
    })
    .catch(function () {
      return caches.open(PAGE_CACHE).then(function (cache) {
        return cache.match(request).then(function (seen) {
          if (seen || !OFFLINE_URL) return seen || Response.error();
          return caches.match(OFFLINE_URL).then(function (offline) {
            return offline || Response.error();
          });
        });
      });
    });
}

function cacheFirst(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (BUILD.kill || request.method !== "GET" || request.url.indexOf(SCOPE) !== 0) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(event));
  } else if (ASSETS.indexOf(request.url.split("#")[0]) !== -1) {
    event.respondWith(cacheFirst(request));
  }
  // Anything else (the search index, feeds, images in posts, an asset newer than
  // this worker) goes to the network as usual.
});
