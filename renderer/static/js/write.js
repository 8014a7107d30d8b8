/* The static Write a Post page: live preview, "Download .md", "Propose on
 * GitHub", a draft kept in localStorage, and a warning before leaving with text
 * that was neither downloaded nor proposed.
 *
 * Markup contract: a form [data-write] with data-repo / data-branch, fields
 * named title, emoji, topic, summary, tags, author, github, body; a preview
 * [data-write-preview]; buttons [data-write-download] and [data-write-propose];
 * an optional status line [data-write-status] and [data-write-discard]. */
(function () {
  "use strict";
  var P = window.Pebbles;
  var DRAFT_KEY = "pebbles:write-draft";
  var FIELDS = ["title", "emoji", "topic", "summary", "tags", "author", "github", "body"];
  // GitHub refuses very long URLs; past this the reader is told to download instead.
  var MAX_URL = 8000;

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      return Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)).length;
    }
    return Array.from(text).length;
  }

  // A YAML double-quoted scalar: escapes make any text safe, including ":" and "#".
  function quoted(text) {
    return (
      '"' +
      text.replace(/[\\"\u0000-\u001f\u007f]/g, function (c) {
        var named = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" }[c];
        return named || "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
      }) +
      '"'
    );
  }

  function slugify(title) {
    var slug = title
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60)
      .replace(/-+$/, "");
    return slug || "my-pebble";
  }

  function today() {
    var now = new Date();
    var pad = function (n) {
      return String(n).padStart(2, "0");
    };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function read(form) {
    var values = {};
    FIELDS.forEach(function (name) {
      var field = form.elements.namedItem(name);
      values[name] = field && "value" in field ? field.value : "";
    });
    return values;
  }

  function problems(values) {
    var found = [];
    var title = values.title.trim();
    if (!title) found.push(["title", "Give your pebble a title."]);
    else if (title.length > 120) found.push(["title", "Keep the title to 120 characters."]);
    var emoji = values.emoji.trim();
    if (!emoji) found.push(["emoji", "Pick one emoji (or one character)."]);
    else if (graphemes(emoji) !== 1) found.push(["emoji", "The emoji must be a single character."]);
    if (!values.topic) found.push(["topic", "Choose a topic."]);
    if (!values.body.trim()) found.push(["body", "Write the lesson itself."]);
    return found;
  }

  function markdown(values) {
    var lines = ["---", "title: " + quoted(values.title.trim()), "emoji: " + quoted(values.emoji.trim())];
    lines.push("topic: " + quoted(values.topic));
    var author = values.author.trim();
    var github = values.github.trim().replace(/^@/, "");
    if (author || github) {
      lines.push("author:", "  name: " + quoted(author || github));
      if (github) lines.push("  github: " + quoted(github));
    }
    lines.push("date: " + today());
    if (values.summary.trim()) lines.push("summary: " + quoted(values.summary.trim()));
    var tags = values.tags
      .split(",")
      .map(function (tag) {
        return tag.trim();
      })
      .filter(Boolean);
    if (tags.length) lines.push("tags: [" + tags.map(quoted).join(", ") + "]");
    lines.push("---", "", values.body.replace(/\r\n?/g, "\n").replace(/\s+$/, ""), "");
    return lines.join("\n");
  }

  function proposeUrl(repo, branch, dir, values, text) {
    var base = repo.replace(/\.git$/, "").replace(/\/+$/, "");
    if (!/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/.test(base)) return null;
    // A site kept in a folder of its repository (site.repo_dir) proposes the file there.
    var path = (dir ? dir + "/" : "") + "content/" + values.topic + "/" + slugify(values.title) + ".md";
    return (
      base +
      "/new/" +
      encodeURIComponent(branch || "main") +
      "?filename=" +
      encodeURIComponent(path) +
      "&value=" +
      encodeURIComponent(text)
    );
  }

  function setup(form) {
    var preview = document.querySelector("[data-write-preview]");
    var status = form.querySelector("[data-write-status]") || document.querySelector("[data-write-status]");
    var dirty = false;

    function say(message, kind) {
      if (!status) return;
      status.textContent = message;
      status.setAttribute("data-kind", kind || "info");
    }

    function render() {
      if (!preview) return;
      var values = read(form);
      var heading = [];
      if (values.title.trim()) {
        heading.push(P.el("h1", { class: "write-preview-title" }, [(values.emoji.trim() + " " + values.title.trim()).trim()]));
      }
      if (values.summary.trim()) heading.push(P.el("p", { class: "write-preview-summary" }, [values.summary.trim()]));
      preview.replaceChildren.apply(preview, heading);
      preview.append(P.renderMarkdown(values.body));
    }

    function validate() {
      var found = problems(read(form));
      FIELDS.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.removeAttribute) field.removeAttribute("aria-invalid");
      });
      found.forEach(function (problem) {
        var field = form.elements.namedItem(problem[0]);
        if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
      });
      if (found.length) {
        say(found.map(function (problem) {
          return problem[1];
        }).join(" "), "error");
        var first = form.elements.namedItem(found[0][0]);
        if (first && first.focus) first.focus();
      }
      return !found.length;
    }

    function save() {
      P.store.set(DRAFT_KEY, JSON.stringify(read(form)));
    }

    function restore() {
      var raw = P.store.get(DRAFT_KEY);
      if (!raw) return;
      var draft;
      try {
        draft = JSON.parse(raw);
      } catch (err) {
        return;
      }
      FIELDS.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && typeof draft[name] === "string") field.value = draft[name];
      });
      say("Your draft was restored from this browser.", "info");
    }

    function exported(message) {
      dirty = false;
      say(message, "ok");
    }

    // Under `pebbles serve` the desk stores the post on the server: that counts as saved.
    form.addEventListener("pebbles:submitted", function (event) {
      exported((event.detail && event.detail.message) || "Submitted for review.");
    });

    restore();
    // Topic pages link here with ?topic=<slug>; a draft's own topic wins.
    var asked = new URLSearchParams(window.location.search).get("topic");
    var topic = form.elements.namedItem("topic");
    if (asked && topic && !topic.value) {
      topic.value = asked;
      if (topic.value !== asked) topic.value = ""; // not one of the options
    }
    render();

    form.addEventListener("input", function () {
      dirty = true;
      save();
      render();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });

    var download = document.querySelector("[data-write-download]");
    if (download) {
      download.addEventListener("click", function () {
        if (!validate()) return;
        var values = read(form);
        var blob = new Blob([markdown(values)], { type: "text/markdown;charset=utf-8" });
        var url = URL.createObjectURL(blob);
        var link = P.el("a", { href: url, download: slugify(values.title) + ".md" });
        document.body.append(link);
        link.click();
        link.remove();
        URL.revokeObjectURL(url);
        exported("Downloaded " + slugify(values.title) + ".md — put it in content/" + values.topic + "/.");
      });
    }

    var propose = document.querySelector("[data-write-propose]");
    if (propose) {
      var repo = form.getAttribute("data-repo") || "";
      if (!/^https:\/\/github\.com\//.test(repo)) {
        propose.disabled = true;
        propose.title = "This site has no GitHub repository configured.";
      }
      propose.addEventListener("click", function () {
        if (!validate()) return;
        var values = read(form);
        var url = proposeUrl(
          repo,
          form.getAttribute("data-branch"),
          form.getAttribute("data-repo-dir") || "",
          values,
          markdown(values)
        );
        if (!url) {
          say("This site has no GitHub repository to propose to; download the file instead.", "error");
        } else if (url.length > MAX_URL) {
          say("This post is too long for a GitHub link; download it and upload the file on GitHub.", "error");
        } else {
          window.open(url, "_blank", "noopener");
          exported("Opened GitHub with your post; review it there and propose the change.");
        }
      });
    }

    var discard = document.querySelector("[data-write-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        P.store.remove(DRAFT_KEY);
        form.reset();
        dirty = false;
        render();
        say("Draft discarded.", "info");
      });
    }

    window.addEventListener("beforeunload", function (event) {
      var values = read(form);
      if (!dirty || !(values.body.trim() || values.title.trim())) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to show their prompt
    });
  }

  P.ready(function () {
    var form = document.querySelector("[data-write]");
    if (form) setup(form);
  });
  P.writeHelpers = { markdown: markdown, proposeUrl: proposeUrl, slugify: slugify, problems: problems, read: read };
})();
