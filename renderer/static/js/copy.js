/* A "Copy" button on every code block of an article. Uses the async clipboard
 * API where allowed and falls back to a hidden textarea + execCommand (older
 * browsers, or pages served over plain http from another host). */
(function () {
  "use strict";
  var P = window.Pebbles;
  var RESET_MS = 2000;

  function legacyCopy(text) {
    var area = P.el("textarea", { readonly: "", "aria-hidden": "true" });
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } finally {
      area.remove();
    }
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return legacyCopy(text);
      });
    }
    return legacyCopy(text);
  }

  // A ">>>" transcript is copied as the code it runs: prompts and shown results
  // would be syntax errors when pasted into a file or a REPL.
  function transcriptSource(text) {
    return text
      .split("\n")
      .filter(function (line) {
        return /^(>>>|\.\.\.)( |$)/.test(line);
      })
      .map(function (line) {
        return line.slice(4);
      })
      .join("\n");
  }

  function codeText(button) {
    var holder = button.closest("figure") || button.parentElement;
    var code = holder && (holder.querySelector("pre code") || holder.querySelector("pre"));
    var text = code ? code.textContent.replace(/\n$/, "") : "";
    return /^>>>( |$)/.test(text) ? transcriptSource(text) : text;
  }

  // The renderer writes a hidden button into each code figure; it only works
  // with JavaScript, so it is shown from here.
  function enable(button) {
    var label = button.textContent;
    var timer = 0;
    function show(text, state) {
      button.textContent = text;
      button.setAttribute("data-state", state);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        button.textContent = label;
        button.removeAttribute("data-state");
      }, RESET_MS);
    }
    button.hidden = false;
    if (!button.hasAttribute("aria-label")) button.setAttribute("aria-label", "Copy code");
    button.addEventListener("click", function () {
      copy(codeText(button)).then(
        function () {
          show("Copied!", "copied");
        },
        function () {
          show("Press Ctrl+C", "failed");
        }
      );
    });
  }

  P.ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), enable);
  });
})();
