/* Light/dark theme. Loaded blocking in <head> so the right colours are set
 * before the first paint (no flash). Without a remembered choice the page
 * follows the system setting, live; a click on [data-theme-toggle] stores the
 * reader's choice in localStorage. */
(function () {
  "use strict";
  var KEY = "pebbles:theme";
  var root = document.documentElement;
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "dark" || value === "light" ? value : null;
    } catch (err) {
      return null; // storage can be blocked (privacy modes); fall back to the system
    }
  }

  function effective() {
    return stored() || (system && system.matches ? "dark" : "light");
  }

  function apply(theme) {
    root.setAttribute("data-theme", theme);
    root.style.colorScheme = theme;
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      var next = theme === "dark" ? "light" : "dark";
      buttons[i].setAttribute("aria-pressed", String(theme === "dark"));
      buttons[i].setAttribute("aria-label", "Switch to " + next + " theme");
      buttons[i].setAttribute("title", "Switch to " + next + " theme");
    }
  }

  apply(effective());

  if (system && system.addEventListener) {
    system.addEventListener("change", function () {
      if (!stored()) apply(effective());
    });
  }

  // Another tab changed the theme: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) apply(effective());
  });

  document.addEventListener("DOMContentLoaded", function () {
    apply(effective());
    document.addEventListener("click", function (event) {
      var button = event.target instanceof Element && event.target.closest("[data-theme-toggle]");
      if (!button) return;
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      try {
        window.localStorage.setItem(KEY, next);
      } catch (err) {
        // Not remembered, but still switched for this page.
      }
      apply(next);
    });
  });
})();
