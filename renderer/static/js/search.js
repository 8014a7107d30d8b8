/* The header search box over the Pagefind index that `pebbles build` writes
 * to <root>/pagefind/. The index loads on first use; results are drawn with
 * DOM nodes, never by assigning result HTML, so page text can't inject markup. */
(function () {
  "use strict";
  var P = window.Pebbles;
  var MAX_RESULTS = 8;
  var loading = null;

  function loadPagefind() {
    if (!loading) {
      var root = P.siteRoot();
      loading = import(root + "pagefind/pagefind.js").then(function (pagefind) {
        return Promise.resolve(pagefind.options({ baseUrl: new URL(root).pathname })).then(
          function () {
            return pagefind;
          }
        );
      });
      loading.catch(function () {
        loading = null; // let a later keystroke retry, e.g. after coming back online
      });
    }
    return loading;
  }

  // Pagefind's excerpt is HTML text with <mark> around the hits. Parse it inertly
  // and keep only its text and the marks.
  function excerptNodes(html) {
    var doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    var out = [];
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.push(P.el("mark", null, [node.textContent]));
      else out.push(document.createTextNode(node.textContent));
    });
    return out;
  }

  function setup(form) {
    var input = form.querySelector("input[type=search], input[name=q]");
    if (!input) return;
    form.hidden = false;
    var panel = P.el("div", { class: "search-results", role: "listbox", id: "search-results" });
    var status = P.el("p", { class: "search-status", role: "status", "aria-live": "polite" });
    panel.hidden = true;
    form.append(status, panel);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", panel.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("autocomplete", "off");
    var active = -1;

    function links() {
      return Array.prototype.slice.call(panel.querySelectorAll("a"));
    }

    function close() {
      panel.hidden = true;
      status.textContent = "";
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function highlight(index) {
      var all = links();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (link, i) {
        link.setAttribute("aria-selected", String(i === active));
      });
      all[active].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", all[active].id);
    }

    function render(term, datas) {
      panel.replaceChildren();
      active = -1;
      datas.forEach(function (data, i) {
        var title = (data.meta && data.meta.title) || data.url;
        var link = P.el("a", { href: data.url, role: "option", id: "search-result-" + i }, [
          P.el("span", { class: "search-result-title" }, [title]),
          P.el("span", { class: "search-result-excerpt" }, excerptNodes(data.excerpt || "")),
        ]);
        panel.append(link);
      });
      status.textContent = datas.length
        ? datas.length + (datas.length === 1 ? " result" : " results") + " for “" + term + "”"
        : "No pebbles match “" + term + "”";
      panel.hidden = !datas.length;
      input.setAttribute("aria-expanded", String(datas.length > 0));
    }

    function run() {
      var term = input.value.trim();
      if (!term) {
        close();
        return;
      }
      loadPagefind()
        .then(function (pagefind) {
          return pagefind.debouncedSearch(term, {}, 120);
        })
        .then(function (search) {
          // null: a newer keystroke superseded this search.
          if (!search || input.value.trim() !== term) return null;
          return Promise.all(
            search.results.slice(0, MAX_RESULTS).map(function (result) {
              return result.data();
            })
          ).then(function (datas) {
            if (input.value.trim() === term) render(term, datas);
          });
        })
        .catch(function () {
          panel.hidden = true;
          status.textContent =
            location.protocol === "file:"
              ? "Search works when the site is served over http(s)."
              : "Search is unavailable right now.";
        });
    }

    input.addEventListener("input", run);
    input.addEventListener("focus", function () {
      loadPagefind().catch(function () {
        // Reported when the reader actually searches.
      });
      if (input.value.trim()) run();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Escape") {
        close();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var all = links();
      var chosen = all[active] || all[0];
      if (chosen) window.location.href = chosen.href;
    });
    document.addEventListener("click", function (event) {
      if (!(event.target instanceof Node) || !form.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      var typing = event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]");
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  P.ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-search]"), setup);
  });
})();
