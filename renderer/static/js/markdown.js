/* A small, safe Markdown renderer for the Write a Post preview.
 *
 * It covers what lessons mostly use - headings, paragraphs, fenced code,
 * lists, block quotes, rules, inline code, emphasis, strikethrough and links -
 * and builds DOM nodes directly. Author text only ever becomes text nodes, so
 * HTML in a draft is shown, never run; links keep only http(s) and relative
 * targets. The published page is rendered by the real engine on the server;
 * this is a preview. Exposed as Pebbles.renderMarkdown(text) -> DocumentFragment. */
(function () {
  "use strict";
  var P = window.Pebbles;

  var FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
  var HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
  var RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
  var ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
  var QUOTE = /^ {0,3}>[ \t]?(.*)$/;
  var BLANK = /^[ \t]*$/;
  // Characters a browser silently drops from URLs: they could hide a scheme.
  var URL_NOISE = /[\u0000-\u0020\u007f-\u009f]/g;

  // The check runs on the target with every such character removed, which is
  // stricter than any browser; the link keeps what the author wrote.
  function safeHref(raw) {
    var cleaned = raw.replace(URL_NOISE, "");
    if (!cleaned) return null;
    try {
      var protocol = new URL(cleaned, "https://preview.invalid/").protocol;
      return protocol === "http:" || protocol === "https:" ? raw.trim() : null;
    } catch (err) {
      return null;
    }
  }

  // --- inline -----------------------------------------------------------------

  var DELIMS = [
    { mark: "**", tag: "strong" },
    { mark: "__", tag: "strong" },
    { mark: "~~", tag: "del" },
    { mark: "*", tag: "em" },
    { mark: "_", tag: "em" },
  ];

  function codeSpan(text, i) {
    var run = /^`+/.exec(text.slice(i))[0];
    var end = text.indexOf(run, i + run.length);
    while (end !== -1 && text.charAt(end + run.length) === "`") {
      end = text.indexOf(run, end + run.length + 1);
    }
    if (end === -1) return null;
    var body = text.slice(i + run.length, end).replace(/\n/g, " ");
    if (/^ .* $/.test(body) && body.trim()) body = body.slice(1, -1);
    return { node: P.el("code", null, [body]), end: end + run.length };
  }

  // [text](target "title") or ![alt](src): the bracket may hold nested brackets.
  function linkAt(text, i) {
    var image = text.charAt(i) === "!";
    var open = image ? i + 1 : i;
    var depth = 0;
    var close = -1;
    for (var j = open; j < text.length; j++) {
      var c = text.charAt(j);
      if (c === "\\") j++;
      else if (c === "[") depth++;
      else if (c === "]" && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close === -1 || text.charAt(close + 1) !== "(") return null;
    var tail = /^\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+("[^"]*"|'[^']*'))?\s*\)/.exec(
      text.slice(close + 1)
    );
    if (!tail) return null;
    var label = text.slice(open + 1, close);
    var target = tail[1].replace(/^<|>$/g, "");
    var end = close + 1 + tail[0].length;
    if (image) {
      return { node: P.el("span", { class: "md-image" }, ["[image: " + label + "]"]), end: end };
    }
    var href = safeHref(target);
    var children = inline(label);
    if (!href) return { node: P.el("span", { class: "md-unsafe-link" }, children), end: end };
    var attrs = { href: href, rel: "nofollow noopener noreferrer" };
    if (tail[2]) attrs.title = tail[2].slice(1, -1);
    return { node: P.el("a", attrs, children), end: end };
  }

  // The next closing run for `mark`: not after a space, and for a single
  // marker not half of a double one (so "*a **b** c*" nests).
  function closer(text, mark, from) {
    var end = text.indexOf(mark, from);
    while (end !== -1) {
      var doubled = mark.length === 1 && text.charAt(end + 1) === mark;
      if (!doubled && !/\s/.test(text.charAt(end - 1))) return end;
      end = text.indexOf(mark, end + (doubled ? 2 : 1));
    }
    return -1;
  }

  function emphasisAt(text, i) {
    for (var d = 0; d < DELIMS.length; d++) {
      var mark = DELIMS[d].mark;
      var start = i + mark.length;
      if (text.substr(i, mark.length) !== mark || !/\S/.test(text.charAt(start))) continue;
      // Intraword underscores (snake_case) are not emphasis.
      if (mark.charAt(0) === "_" && /\w/.test(text.charAt(i - 1))) continue;
      var end = closer(text, mark, start + 1);
      if (end === -1) continue;
      var tag = DELIMS[d].tag;
      return { node: P.el(tag, null, inline(text.slice(start, end))), end: end + mark.length };
    }
    return null;
  }

  function autolinkAt(text, i) {
    var match = /^<(https?:\/\/[^\s<>]+)>/.exec(text.slice(i));
    if (!match) return null;
    return { node: P.el("a", { href: match[1], rel: "nofollow noopener noreferrer" }, [match[1]]), end: i + match[0].length };
  }

  function inline(text) {
    var out = [];
    var buffer = "";
    var i = 0;
    function flush() {
      if (buffer) out.push(document.createTextNode(buffer));
      buffer = "";
    }
    while (i < text.length) {
      var c = text.charAt(i);
      var found = null;
      if (c === "\\" && /[!-\/:-@\[-`{-~]/.test(text.charAt(i + 1))) {
        buffer += text.charAt(i + 1);
        i += 2;
        continue;
      }
      if (c === "`") found = codeSpan(text, i);
      else if (c === "[" || (c === "!" && text.charAt(i + 1) === "[")) found = linkAt(text, i);
      else if (c === "*" || c === "_" || c === "~") found = emphasisAt(text, i);
      else if (c === "<") found = autolinkAt(text, i);
      if (found) {
        flush();
        out.push(found.node);
        i = found.end;
      } else {
        buffer += c;
        i++;
      }
    }
    flush();
    return out;
  }

  // --- blocks -----------------------------------------------------------------

  function fence(lines, i, match) {
    var marker = match[1];
    var language = match[2].trim().split(/\s+/)[0].replace(/[^\w+-]/g, "");
    var body = [];
    var j = i + 1;
    var closer = new RegExp("^ {0,3}" + marker.charAt(0) + "{" + marker.length + ",}[ \\t]*$");
    while (j < lines.length && !closer.test(lines[j])) body.push(lines[j++]);
    var code = P.el("code", language ? { class: "language-" + language } : null, [body.join("\n")]);
    var pre = P.el("pre", language ? { "data-language": language } : null, [code]);
    return { node: pre, next: j + 1 };
  }

  function list(lines, i) {
    var ordered = /\d/.test(ITEM.exec(lines[i])[1]);
    var items = [];
    var j = i;
    while (j < lines.length) {
      var match = ITEM.exec(lines[j]);
      if (!match || /\d/.test(match[1]) !== ordered || RULE.test(lines[j])) break;
      var text = [match[2]];
      j++;
      // Indented lines continue the item (lazy continuation is not supported).
      while (j < lines.length && /^[ \t]{2,}\S/.test(lines[j]) && !ITEM.test(lines[j])) {
        text.push(lines[j++].trim());
      }
      items.push(P.el("li", null, inline(text.join("\n"))));
    }
    var attrs = null;
    if (ordered) {
      var first = parseInt(ITEM.exec(lines[i])[1], 10);
      if (first !== 1) attrs = { start: String(first) };
    }
    return { node: P.el(ordered ? "ol" : "ul", attrs, items), next: j };
  }

  function startsBlock(line) {
    return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || ITEM.test(line) || QUOTE.test(line);
  }

  function blocks(lines) {
    var out = [];
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      var match;
      var made = null;
      if (BLANK.test(line)) {
        i++;
        continue;
      }
      if ((match = FENCE.exec(line)) && !(match[1].charAt(0) === "`" && match[2].indexOf("`") !== -1)) {
        made = fence(lines, i, match);
      } else if ((match = HEADING.exec(line))) {
        made = { node: P.el("h" + match[1].length, null, inline(match[2] || "")), next: i + 1 };
      } else if (RULE.test(line)) {
        made = { node: P.el("hr"), next: i + 1 };
      } else if (ITEM.test(line)) {
        made = list(lines, i);
      } else if (QUOTE.test(line)) {
        var quoted = [];
        while (i < lines.length && (match = QUOTE.exec(lines[i]))) {
          quoted.push(match[1]);
          i++;
        }
        made = { node: P.el("blockquote", null, blocks(quoted)), next: i };
      } else {
        var para = [line.trim()];
        i++;
        while (i < lines.length && !BLANK.test(lines[i]) && !startsBlock(lines[i])) {
          para.push(lines[i++].trim());
        }
        made = { node: P.el("p", null, inline(para.join("\n"))), next: i };
      }
      out.push(made.node);
      i = made.next;
    }
    return out;
  }

  P.renderMarkdown = function (text) {
    var fragment = document.createDocumentFragment();
    blocks(String(text).replace(/\r\n?/g, "\n").split("\n")).forEach(function (node) {
      fragment.append(node);
    });
    return fragment;
  };
  P.safeHref = safeHref;
})();
