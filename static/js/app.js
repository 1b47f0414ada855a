/* Traza: the little JavaScript the pages use. Everything works without it; this adds comfort. */
(function () {
  "use strict";

  var toasts = function () { return document.getElementById("toasts"); };

  function showToast(message, level) {
    var box = toasts();
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (level || "info");
    el.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", document.documentElement.lang === "en" ? "Close" : "Cerrar");
    close.textContent = "×";
    el.appendChild(close);
    box.appendChild(el);
    scheduleDismiss(el);
  }

  function scheduleDismiss(el) {
    if (el.classList.contains("toast-error")) return; // errors stay until closed
    window.setTimeout(function () { el.remove(); }, 6000);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("toast-close")) {
      target.parentElement.remove();
    }
    if (target.matches && target.matches("[data-print]")) {
      event.preventDefault();
      window.print();
    }
    // "Copiar enlace": copy the text of the field named by data-copy (the field stays selectable without JS).
    if (target.matches && target.matches("[data-copy]")) {
      var source = document.querySelector(target.getAttribute("data-copy"));
      if (source) {
        source.select();
        var done = function () { showToast(target.getAttribute("data-copied") || "OK", "success"); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      }
    }
  });

  // "Ver N más" (the work queue): the rows it brings take the link's place, and the focus goes to the first of them.
  var moreAt = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var item = event.target.closest && event.target.closest("li.work-more");
    moreAt = item ? { list: item.parentElement, index: Array.prototype.indexOf.call(item.parentElement.children, item) } : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!moreAt) return;
    var row = moreAt.list.children[moreAt.index];
    moreAt = null;
    var link = row && row.querySelector("a, button");
    if (link) link.focus();
  });

  // Forms that ask before doing something that cannot be undone.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Toasts sent by the server in HX-Trigger: {"toast": [{"level": "...", "message": "..."}]}
  document.body.addEventListener("toast", function (event) {
    var items = event.detail && event.detail.value ? event.detail.value : event.detail;
    (Array.isArray(items) ? items : [items]).forEach(function (item) {
      if (item && item.message) showToast(item.message, item.level);
    });
  });

  // Waiting shows: a bar at the top of the window while htmx fetches, and the part being replaced is marked
  // busy (aria-busy) for screen readers. A plain form post (an upload, an import) marks its submit button.
  var pending = 0;
  var busyTarget = function (event) {
    var detail = event.detail || {};
    return detail.target || detail.elt;
  };
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    pending += 1;
    document.documentElement.classList.add("is-loading");
    var target = busyTarget(event);
    if (target && target.setAttribute) { target.setAttribute("aria-busy", "true"); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    pending = Math.max(0, pending - 1);
    if (!pending) { document.documentElement.classList.remove("is-loading"); }
    var target = busyTarget(event);
    if (target && target.removeAttribute) { target.removeAttribute("aria-busy"); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || form.matches("[hx-post], [hx-get], [hx-put], [hx-delete]")) { return; }
    if (form.method && form.method.toLowerCase() === "get") { return; }
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (form.classList.contains("is-submitting")) { event.preventDefault(); return; } // one click sends once
    form.classList.add("is-submitting");
    form.setAttribute("aria-busy", "true");
    if (button) { button.classList.add("is-working"); }
    window.setTimeout(function () { ready(form); }, 20000); // an answer that stays on the page (a download)
  });
  var ready = function (form) {
    form.classList.remove("is-submitting");
    form.removeAttribute("aria-busy");
    Array.prototype.forEach.call(form.querySelectorAll(".is-working"), function (b) { b.classList.remove("is-working"); });
  };
  window.addEventListener("pageshow", function () { // coming back with the Back button: the form is ready again
    Array.prototype.forEach.call(document.querySelectorAll("form.is-submitting"), ready);
  });

  // A network failure or an unexpected answer gets a toast, never a half-swapped page.
  document.body.addEventListener("htmx:sendError", function () {
    showToast(document.documentElement.lang === "en"
      ? "No connection to the server. Check your network and try again."
      : "No hay conexión con el servidor. Revisa la red e inténtalo de nuevo.", "error");
  });

  Array.prototype.forEach.call(document.querySelectorAll("#toasts .toast"), scheduleDismiss);

  // The menu is open in the markup (it works without JavaScript); on narrow screens it folds away.
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 720px)");
    var fit = function () { menu.open = !narrow.matches; };
    fit();
    narrow.addEventListener("change", fit);
  }

  // List filters beyond the search box fold behind "Filtros" on phones, unless some already narrow the list.
  if (window.matchMedia && window.matchMedia("(max-width: 720px)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll("details.filters-more"), function (d) {
      if (d.getAttribute("data-narrowing") === "0") { d.open = false; }
    });
    // Long guidance that desktop shows in full (the crisis protocol's advice) starts folded on a phone.
    Array.prototype.forEach.call(document.querySelectorAll("details.fold-on-phone"), function (d) { d.open = false; });
  }

  // Drop-down groups of the top bar (plain <details>, so they open without JavaScript): one open at a time,
  // closed by a click elsewhere or Escape (focus goes back to the group's summary).
  var groups = document.querySelectorAll("details.navgroup");
  var closeGroups = function (except) {
    Array.prototype.forEach.call(groups, function (g) { if (g !== except) { g.open = false; } });
  };
  Array.prototype.forEach.call(groups, function (g) {
    g.addEventListener("toggle", function () { if (g.open) { closeGroups(g); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.navgroup")) { closeGroups(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("details.navgroup[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });

  // The top bar's search (templates/search/_topbar.html): opening it puts the cursor in the box, "/" opens it from
  // anywhere outside a field; ↓ and ↑ go from the box through the results (links, so Enter opens one) and back.
  var search = document.getElementById("topsearch");
  if (search) {
    var box = document.getElementById("topsearch-q");
    search.addEventListener("toggle", function () { if (search.open) { box.focus(); box.select(); } });
    document.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || t.isContentEditable ||
          (t.closest && t.closest("input, textarea, select"))) { return; }
      event.preventDefault();
      var menu = search.closest("details.menu");
      if (menu && !menu.open) { menu.open = true; }
      if (search.open) { box.focus(); } else { search.open = true; }
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
      var links = Array.prototype.slice.call(document.querySelectorAll("#topsearch-results a[href]"));
      var at = links.indexOf(document.activeElement);
      if (!links.length || (at < 0 && document.activeElement !== box)) { return; }
      event.preventDefault();
      if (event.key === "ArrowDown") { (links[at + 1] || links[at] || links[0]).focus(); }
      else if (at <= 0) { box.focus(); }
      else { links[at - 1].focus(); }
    });
  }

  // Idle-timeout warning: two minutes before the server ends an idle session.
  var idle = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  var warning = document.getElementById("idle-warning");
  if (idle > 0 && warning) {
    var warnTimer, endTimer;
    var arm = function () {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warning.hidden = true;
      warnTimer = window.setTimeout(function () { warning.hidden = false; document.getElementById("idle-stay").focus(); },
        Math.max(idle - 120, 30) * 1000);
      endTimer = window.setTimeout(function () {
        window.location.href = document.body.getAttribute("data-login-url");
      }, idle * 1000 + 2000);
    };
    document.getElementById("idle-stay").addEventListener("click", function () {
      fetch(document.body.getAttribute("data-keepalive-url"), {credentials: "same-origin"}).then(function (r) {
        if (r.status === 204) { arm(); } else { window.location.href = document.body.getAttribute("data-login-url"); }
      });
    });
    document.body.addEventListener("htmx:afterRequest", arm);
    arm();
  }
})();
