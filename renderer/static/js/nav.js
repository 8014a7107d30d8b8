/* Sidebar enhancements over markup that already works without JavaScript:
 * the Topics / Stepping Stones tabs (both panels are visible without JS) and
 * the phone menu button that shows and hides the sidebar. */
(function () {
  "use strict";
  var P = window.Pebbles;
  var TAB_KEY = "pebbles:sidebar-tab";

  function setupTabs(group) {
    var tabs = Array.prototype.slice.call(group.querySelectorAll("[data-tab]"));
    var panels = Array.prototype.slice.call(group.querySelectorAll("[data-tab-panel]"));
    if (!tabs.length || !panels.length) return;

    function panelFor(name) {
      return panels.filter(function (panel) {
        return panel.getAttribute("data-tab-panel") === name;
      })[0];
    }

    function select(name, focus) {
      tabs.forEach(function (tab) {
        var on = tab.getAttribute("data-tab") === name;
        tab.setAttribute("aria-selected", String(on));
        tab.setAttribute("tabindex", on ? "0" : "-1");
        if (on && focus) tab.focus();
      });
      panels.forEach(function (panel) {
        panel.hidden = panel.getAttribute("data-tab-panel") !== name;
      });
      group.setAttribute("data-selected-tab", name);
    }

    tabs[0].parentElement.setAttribute("role", "tablist");
    tabs.forEach(function (tab) {
      var name = tab.getAttribute("data-tab");
      var panel = panelFor(name);
      tab.setAttribute("role", "tab");
      if (panel) {
        if (!panel.id) panel.id = "tab-panel-" + name;
        if (!tab.id) tab.id = "tab-" + name;
        tab.setAttribute("aria-controls", panel.id);
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", tab.id);
      }
      tab.addEventListener("click", function (event) {
        // Without JS the tab may be a link to a full page; with JS it switches in place.
        event.preventDefault();
        select(name, false);
        P.store.set(TAB_KEY, name);
      });
      tab.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (!step) return;
        event.preventDefault();
        var next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
        select(next.getAttribute("data-tab"), true);
        P.store.set(TAB_KEY, next.getAttribute("data-tab"));
      });
    });

    var remembered = P.store.get(TAB_KEY);
    var marked = tabs.filter(function (tab) {
      return tab.getAttribute("aria-selected") === "true";
    })[0];
    var initial = remembered && panelFor(remembered) ? remembered : null;
    select(initial || (marked || tabs[0]).getAttribute("data-tab"), false);
  }

  function setupMenu(button) {
    var target = document.getElementById(button.getAttribute("aria-controls") || "");
    if (!target) return;
    var wide = window.matchMedia("(min-width: 769px)");

    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      target.setAttribute("data-open", String(open));
      document.documentElement.toggleAttribute("data-menu-open", open);
    }

    setOpen(false);
    button.hidden = false;
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
    // Following a link closes the menu, so the back button shows a closed menu too.
    target.addEventListener("click", function (event) {
      if (event.target instanceof Element && event.target.closest("a[href]")) setOpen(false);
    });
    wide.addEventListener("change", function () {
      if (wide.matches) setOpen(false);
    });
  }

  P.ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-tabs]"), setupTabs);
    Array.prototype.forEach.call(document.querySelectorAll("[data-menu-toggle]"), setupMenu);
  });
})();
