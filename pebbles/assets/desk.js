/* The Write a Post desk, when the site is served by `pebbles serve`.
 *
 * Added by the server to the Write a Post page only; the static page (write.js)
 * keeps its form, autosave and unsaved-text warning, and this script adds:
 * - Preview: the server renders the draft with the site's own post template;
 *   it is shown in a sandboxed frame (no scripts run there), debounced.
 * - Check: the server runs the draft's code in its sandbox; each block's result
 *   and any diff are listed next to the editor.
 * - Submit: the server validates, checks and stores the post for review.
 * Every request carries the page's session token (from the meta tag). */
(function () {
  "use strict";
  var P = window.Pebbles;
  var meta = document.querySelector('meta[name="pebbles-desk"]');
  if (!P || !meta) return;
  var TOKEN = meta.getAttribute("content");
  var DEBOUNCE_MS = 400;

  function helpers() {
    return P.writeHelpers;
  }

  function post(path, markdown) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Pebbles-Token": TOKEN },
      body: JSON.stringify({ markdown: markdown }),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return { error: response.status === 413 ? "The post is too large to send." : "The server answered " + response.status + "." };
        })
        .then(function (data) {
          return { status: response.status, data: data, first: lessonStart(markdown) };
        });
    });
  }

  function text(tag, className, content) {
    var node = P.el(tag, className ? { class: className } : null);
    node.textContent = content;
    return node;
  }

  // The frame may not run scripts anyway (it is sandboxed); removing them keeps
  // the browser from reporting each blocked one. Parsing does not run them.
  function withoutScripts(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll("script").forEach(function (node) {
      node.remove();
    });
    return "<!doctype html>\n" + doc.documentElement.outerHTML;
  }

  // The server counts lines in the whole .md file; the Lesson box holds only what
  // follows the header and the blank line after it. This is that box's line 1.
  function lessonStart(markdown) {
    var lines = markdown.split("\n");
    for (var i = 1; i < lines.length; i++) {
      if (lines[i] === "---") return i + 3;
    }
    return 1;
  }

  function where(line, first) {
    var inBody = line - first + 1;
    return inBody >= 1 ? "lesson line " + inBody : "header";
  }

  function findingList(findings, first) {
    var list = P.el("ul", { class: "desk-findings" });
    findings.forEach(function (finding) {
      var item = P.el("li", { class: "desk-finding desk-" + finding.severity });
      var lines = finding.message.split("\n");
      item.append(text("span", "desk-where", where(finding.line, first) + ": "), text("span", "", lines[0]));
      if (lines.length > 1) item.append(text("pre", "desk-diff", lines.slice(1).join("\n")));
      list.append(item);
    });
    return list;
  }

  function setup(form) {
    var W = helpers();
    var oldPreview = document.querySelector("[data-write-preview]");
    var status = document.querySelector("[data-write-status]");
    var actions = document.querySelector("[data-write-download]");
    actions = actions ? actions.parentNode : form;

    var frame = P.el("iframe", {
      class: "desk-preview-frame",
      title: "Preview of your post as the site will show it",
      sandbox: "allow-same-origin",
      "data-desk-preview": "",
    });
    var notes = P.el("div", { class: "desk-preview-notes", "data-desk-problems": "" });
    if (oldPreview) {
      oldPreview.hidden = true;
      oldPreview.after(frame, notes);
    } else {
      form.after(frame, notes);
    }

    var results = P.el("section", { class: "desk-results", "data-desk-results": "", "aria-live": "polite" });
    (status || form).after(results);
    var checkButton = text("button", "button", "▶ Check");
    checkButton.type = "button";
    checkButton.setAttribute("data-desk-check", "");
    var submitButton = text("button", "button button-primary", "📮 Submit for review");
    submitButton.type = "button";
    submitButton.setAttribute("data-desk-submit", "");
    actions.prepend(checkButton, submitButton);

    function say(message, kind) {
      if (!status) return;
      status.textContent = message;
      status.setAttribute("data-kind", kind || "info");
    }

    function markdown() {
      return W.markdown(W.read(form));
    }

    // --- preview
    var sequence = 0;
    var timer = null;
    function preview() {
      var mine = ++sequence;
      post("/api/preview", markdown()).then(function (answer) {
        if (mine !== sequence) return; // a newer preview is on its way
        if (answer.status !== 200) {
          notes.replaceChildren(text("p", "desk-error", answer.data.error || "Preview failed."));
          return;
        }
        var scroll = 0;
        try {
          scroll = frame.contentWindow ? frame.contentWindow.scrollY : 0;
        } catch (err) {
          scroll = 0;
        }
        frame.onload = function () {
          if (frame.contentWindow) frame.contentWindow.scrollTo(0, scroll);
        };
        frame.srcdoc = withoutScripts(answer.data.page);
        var problems = answer.data.problems.filter(function (p) {
          return p.severity === "error";
        });
        notes.replaceChildren();
        if (problems.length) {
          notes.append(text("p", "desk-notes-title", "Not ready yet:"), findingList(problems, answer.first));
        }
      }, function () {
        notes.replaceChildren(text("p", "desk-error", "The server cannot be reached."));
      });
    }
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(preview, DEBOUNCE_MS);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    preview();

    // --- check
    function showCheck(report, first) {
      results.replaceChildren();
      results.setAttribute("data-status", report.status);
      var words = { passed: "✓ Every example ran as stated", failed: "✗ The check found problems", "not-run": "Nothing was run" };
      var python = report.python ? " (Python " + report.python + ")" : "";
      results.append(text("h2", "desk-results-title desk-" + report.status, (words[report.status] || report.status) + python));
      var list = P.el("ol", { class: "desk-blocks" });
      report.blocks.forEach(function (block) {
        var item = P.el("li", { class: "desk-block desk-" + block.status, "data-block-status": block.status });
        item.append(text("span", "desk-block-head", where(block.line, first) + " · " + block.language + " · " + block.status));
        if (block.reason) item.append(text("p", "desk-reason", block.reason));
        if (block.findings.length) item.append(findingList(block.findings, first));
        list.append(item);
      });
      if (report.blocks.length) results.append(list);
      if (report.findings.length) results.append(findingList(report.findings, first));
    }

    function problemsFirst() {
      var found = W.problems(W.read(form));
      if (found.length) {
        say(found.map(function (p) {
          return p[1];
        }).join(" "), "error");
      }
      return !found.length;
    }

    function busy(button, on) {
      button.disabled = on;
      button.setAttribute("aria-busy", on ? "true" : "false");
    }

    checkButton.addEventListener("click", function () {
      if (!problemsFirst()) return;
      busy(checkButton, true);
      say("Running your examples in the sandbox…", "info");
      post("/api/check", markdown())
        .then(function (answer) {
          if (answer.data.blocks) {
            showCheck(answer.data, answer.first);
            say(answer.data.status === "passed" ? "Check passed." : "Check finished with problems.", answer.data.status === "passed" ? "ok" : "error");
          } else {
            say(answer.data.error || "Check failed.", "error");
          }
        }, function () {
          say("The server cannot be reached.", "error");
        })
        .then(function () {
          busy(checkButton, checkButton.hasAttribute("data-off"));
        });
    });

    submitButton.addEventListener("click", function () {
      if (!problemsFirst()) return;
      busy(submitButton, true);
      say("Checking and sending your post…", "info");
      post("/api/submit", markdown())
        .then(function (answer) {
          var data = answer.data;
          if (answer.status === 200 || answer.status === 201) {
            var message = answer.status === 201
              ? "Submitted for review as " + data.id + " (" + data.path + "). Thank you!"
              : "Already received as " + data.id + " (" + data.state + ").";
            say(message, "ok");
            results.setAttribute("data-submitted", data.id);
            form.dispatchEvent(new CustomEvent("pebbles:submitted", { detail: { message: message } }));
          } else if (data.check) {
            showCheck(data.check, answer.first);
            say(data.error, "error");
          } else if (data.problems) {
            results.replaceChildren(text("h2", "desk-results-title desk-failed", data.error), findingList(data.problems, answer.first));
            say(data.error, "error");
          } else {
            say(data.error || "Submitting failed.", "error");
          }
        }, function () {
          say("The server cannot be reached; your draft is still saved in this browser.", "error");
        })
        .then(function () {
          busy(submitButton, false);
        });
    });

    fetch("/api/health", { credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (health) {
        if (!health.check) {
          checkButton.setAttribute("data-off", "");
          checkButton.disabled = true;
          checkButton.title = health.reason || "Check is not available on this server.";
        }
      })
      .catch(function () {});
  }

  P.ready(function () {
    var form = document.querySelector("[data-write]");
    // write.js defines the helpers; both scripts are deferred, so wait for it.
    if (form && P.writeHelpers) setup(form);
    else if (form) window.addEventListener("load", function () {
      if (P.writeHelpers) setup(form);
    });
  });
})();
