/* Shared helpers for the other scripts, exposed as window.Pebbles.
 * Plain deferred scripts (not ES modules) so the site also works from file://. */
(function () {
  "use strict";

  // The manifest sits at the site root, so its link tells every page where the
  // root is, whether the site is served from "/" or from a sub-path.
  function siteRoot() {
    var link = document.querySelector('link[rel="manifest"]');
    if (link && link.href) return new URL(".", link.href).href;
    return new URL("./", document.baseURI).href;
  }

  function siteName() {
    var meta =
      document.querySelector('meta[name="application-name"]') ||
      document.querySelector('meta[property="og:site_name"]');
    var name = meta && meta.getAttribute("content");
    return (name && name.trim()) || document.title;
  }

  // localStorage that never throws: a blocked store just forgets.
  var store = {
    get: function (key) {
      try {
        return window.localStorage.getItem(key);
      } catch (err) {
        return null;
      }
    },
    set: function (key, value) {
      try {
        window.localStorage.setItem(key, value);
        return true;
      } catch (err) {
        return false;
      }
    },
    remove: function (key) {
      try {
        window.localStorage.removeItem(key);
      } catch (err) {
        // Nothing stored, nothing to forget.
      }
    },
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        node.setAttribute(name, attrs[name]);
      });
    }
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  window.Pebbles = { siteRoot: siteRoot, siteName: siteName, store: store, el: el, ready: ready };
})();
