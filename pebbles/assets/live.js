/* Live reload for `pebbles serve` (added to pages in serve mode only).
 *
 * Listens to the server's build events. A new good build reloads the page; a
 * failed one shows an overlay listing each problem as file:line, over the last
 * good page, until the next good build. The Write a Post page is not reloaded
 * (it holds a draft being typed); it says that the site changed instead. */
(function () {
  "use strict";
  if (!window.EventSource) return;
  var OVERLAY_ID = "pebbles-build-overlay";
  var seen = null;

  function overlay() {
    var box = document.getElementById(OVERLAY_ID);
    if (box) return box;
    box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#1f1f23;color:#f5f5f5;border:2px solid #e5484d;border-radius:8px;padding:1rem;" +
      "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 8px 30px #0008";
    document.body.append(box);
    return box;
  }

  function showProblems(state) {
    var box = overlay();
    box.replaceChildren();
    var head = document.createElement("p");
    head.style.cssText = "margin:0 0 .5rem;font-weight:bold;color:#ff9592";
    head.textContent = "Build failed: " + state.summary + " (still showing the last good site)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide");
    close.style.cssText = "float:right;background:none;border:0;color:inherit;font-size:1.3rem;cursor:pointer";
    close.addEventListener("click", function () {
      box.remove();
    });
    box.append(close, head);
    state.problems.forEach(function (problem) {
      var line = document.createElement("pre");
      line.className = "pebbles-build-problem";
      line.style.cssText = "margin:.25rem 0;white-space:pre-wrap";
      line.textContent = problem.path + ":" + problem.line + ":" + problem.column + ": " + problem.message + " [" + problem.code + "]";
      box.append(line);
    });
  }

  function changed() {
    if (document.querySelector("[data-write]")) {
      var status = document.querySelector("[data-write-status]");
      if (status) status.textContent = "The site was rebuilt; reload when your draft is safe.";
      return;
    }
    window.location.reload();
  }

  var source = new EventSource("/__pebbles/events");
  source.addEventListener("build", function (event) {
    var state = JSON.parse(event.data);
    // A version seen before this page loaded is the page's own build.
    var first = seen === null;
    var fresh = !first && state.version !== seen;
    seen = state.version;
    // Shows which build this page has heard of (and that it is listening).
    document.documentElement.setAttribute("data-pebbles-build", String(state.version));
    if (!state.ok) {
      showProblems(state);
      return;
    }
    var box = document.getElementById(OVERLAY_ID);
    if (box) box.remove();
    if (fresh) changed();
  });
  // The server restarted: its versions start again, so the next event reloads.
  source.addEventListener("error", function () {
    if (seen !== null) seen = -1;
  });
})();
