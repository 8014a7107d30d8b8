/* Installable web app, page side:
 * - registers <root>/sw.js and, when a new build's worker is waiting, offers a
 *   "new version available" banner; the waiting worker takes over only when
 *   the reader clicks Reload (so a page never changes under someone reading it);
 * - turns the browser's beforeinstallprompt into the site's own
 *   "Install … — Add to home screen" prompt, shown once per visit and never
 *   again after it is dismissed or the app is installed. */
(function () {
  "use strict";
  var P = window.Pebbles;
  var DISMISSED_KEY = "pebbles:install-dismissed";
  var SHOWN_KEY = "pebbles:install-shown";

  function banner(kind, label, message, actionLabel, onAction, onClose) {
    var action = P.el("button", { type: "button", class: "pwa-banner-action" }, [actionLabel]);
    var close = P.el(
      "button",
      { type: "button", class: "pwa-banner-close", "aria-label": "Dismiss" },
      ["×"]
    );
    var box = P.el("div", { class: "pwa-banner", "data-pwa": kind, role: "region", "aria-label": label, "aria-live": "polite" }, [
      P.el("p", { class: "pwa-banner-text" }, message),
      action,
      close,
    ]);
    action.addEventListener("click", function () {
      onAction(box);
    });
    close.addEventListener("click", function () {
      box.remove();
      if (onClose) onClose();
    });
    document.body.append(box);
    return box;
  }

  // --- install prompt ---------------------------------------------------------

  var installEvent = null;
  var installBox = null;

  function shownThisVisit() {
    try {
      if (window.sessionStorage.getItem(SHOWN_KEY)) return true;
      window.sessionStorage.setItem(SHOWN_KEY, "1");
    } catch (err) {
      // Without session storage the prompt may show again on the next page.
    }
    return false;
  }

  function offerInstall(event) {
    // Keep the browser's own mini-infobar away; we show our prompt instead.
    if (event && typeof event.preventDefault === "function") event.preventDefault();
    installEvent = event;
    // Once per visit, and never again once dismissed or installed.
    if (installBox || P.store.get(DISMISSED_KEY) || shownThisVisit()) return;
    var name = P.siteName();
    installBox = banner(
      "install",
      "Install the app",
      [P.el("strong", null, ["Install " + name]), " — Add to home screen for the best experience"],
      "Install",
      function (box) {
        box.remove();
        installBox = null;
        if (installEvent && typeof installEvent.prompt === "function") {
          installEvent.prompt();
          Promise.resolve(installEvent.userChoice).then(function (choice) {
            if (choice && choice.outcome === "accepted") P.store.set(DISMISSED_KEY, "installed");
          });
        }
        installEvent = null;
      },
      function () {
        installBox = null;
        P.store.set(DISMISSED_KEY, "dismissed");
      }
    );
  }

  window.addEventListener("beforeinstallprompt", offerInstall);
  window.addEventListener("appinstalled", function () {
    P.store.set(DISMISSED_KEY, "installed");
    if (installBox) installBox.remove();
    installBox = null;
  });

  // --- service worker ---------------------------------------------------------

  function offerUpdate(worker) {
    if (document.querySelector('[data-pwa="update"]')) return;
    banner(
      "update",
      "Update available",
      ["A new version of " + P.siteName() + " is available."],
      "Reload",
      function (box) {
        box.remove();
        reloadWhenControlled();
        worker.postMessage({ type: "skip-waiting" });
      }
    );
  }

  function reloadWhenControlled() {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      window.location.reload();
    });
  }

  function watch(registration) {
    // A worker from an earlier visit already waits for its turn.
    if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
    registration.addEventListener("updatefound", function () {
      var incoming = registration.installing;
      if (!incoming) return;
      incoming.addEventListener("statechange", function () {
        // With no controller this is the first install, not an update.
        if (incoming.state === "installed" && navigator.serviceWorker.controller) {
          offerUpdate(incoming);
        }
      });
    });
  }

  function register() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    var root = P.siteRoot();
    if (!/^https?:/.test(root)) return;
    navigator.serviceWorker
      .register(root + "sw.js", { scope: root })
      .then(watch)
      .catch(function (err) {
        // The site works without the worker; say why it is missing, quietly.
        console.warn("Service worker not registered:", err && err.message);
      });
  }

  P.ready(register);
})();
