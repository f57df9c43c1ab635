/* The inbox's small behaviours: actions that call the control API (/_mock), copy buttons, the
   ticking clock, keyboard shortcuts. Live updates themselves are htmx + its SSE extension. */
(function () {
  "use strict";

  function toast(text, bad) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.className = bad ? "show bad" : "show";
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.className = ""; }, 2500);
  }

  function refresh() {
    document.body.dispatchEvent(new CustomEvent("inbox:refresh", { bubbles: true }));
  }

  async function call(method, url, body) {
    var init = { method: method, headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var resp = await fetch(url, init);
    var text = await resp.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
    if (!resp.ok) {
      var detail = data && data.detail ? data.detail : text;
      throw new Error("HTTP " + resp.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)));
    }
    return data;
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {  // not a secure context, or no permission: the old way
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    document.body.dataset.lastCopied = text;
    toast("Copied " + text);
  }

  function formBody(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if (el.name === "scope") {  // the reset dialog: "", "provider:x" or "account:y"
        var parts = el.value.split(":");
        if (parts[0] === "provider") body.provider = parts.slice(1).join(":");
        if (parts[0] === "account") body.account_id = parts.slice(1).join(":");
        return;
      }
      if (el.value === "" && !el.hasAttribute("data-nullable")) return;
      body[el.name] = el.dataset.type === "number" ? Number(el.value) : el.value;
    });
    return body;
  }

  document.addEventListener("click", async function (ev) {
    var t = ev.target;
    var copyBtn = t.closest("[data-copy]");
    if (copyBtn) { ev.preventDefault(); ev.stopPropagation(); copy(copyBtn.dataset.copy); return; }
    var copyTarget = t.closest("button.copy[data-target]");  // the credentials page: copy an element's text
    if (copyTarget) {
      ev.preventDefault();
      copy(document.getElementById(copyTarget.dataset.target).textContent).then(function () {
        copyTarget.textContent = "copied";
        setTimeout(function () { copyTarget.textContent = "copy"; }, 1200);
      });
      return;
    }
    var opener = t.closest("[data-open]");
    if (opener) { document.getElementById(opener.dataset.open).showModal(); return; }
    var closer = t.closest("[data-close]");
    if (closer) { closer.closest("dialog").close(); return; }
    var post = t.closest("[data-post]");
    if (post) {
      ev.preventDefault();
      post.disabled = true;
      try {
        await call("POST", post.dataset.post, post.dataset.body ? JSON.parse(post.dataset.body) : undefined);
        toast("Done: " + post.textContent.trim());
        refresh();
      } catch (e) { toast(e.message, true); }
      finally { post.disabled = false; }
    }
  });

  document.addEventListener("submit", async function (ev) {
    var form = ev.target;
    if (!form.hasAttribute("data-json")) return;
    ev.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    try {
      await call(form.dataset.method || "POST", form.getAttribute("action"), formBody(form));
      if (form.dataset.redirect) { location.assign(form.dataset.redirect); return; }  // e.g. a deleted message
      toast("Saved");
      var dialog = form.closest("dialog");
      if (dialog) dialog.close();
      if (form.hasAttribute("data-reset-on-success")) {
        var text = form.querySelector("[name=body]");
        if (text) { text.value = ""; text.focus(); }
      }
      refresh();
    } catch (e) { toast(e.message, true); }
    finally { if (button) button.disabled = false; }
  });

  document.addEventListener("change", function (ev) {
    if (ev.target.matches("select[data-autosubmit], input[data-autosubmit]")) ev.target.form.requestSubmit();
  });

  // Keyboard: "/" search, j/k move between messages, Escape leaves a field.
  document.addEventListener("keydown", function (ev) {
    var inField = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (ev.key === "Escape" && inField) { document.activeElement.blur(); return; }
    if (inField || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "/") {
      var box = document.querySelector("#q, #number, #reply-body");
      if (box) { ev.preventDefault(); box.focus(); }
    } else if (ev.key === "j" || ev.key === "k") {
      var links = Array.prototype.slice.call(document.querySelectorAll(".row-link"));
      if (!links.length) return;
      var i = links.indexOf(document.activeElement);
      i = ev.key === "j" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
      links[i].focus();
    }
  });

  // A live refresh must not close the webhook attempts the reader opened.
  // Nor reset a choice being made in a field inside a live region (the force-status menu).
  var openHooks = [], kept = {}, keptOpen = {};
  document.body.addEventListener("htmx:beforeSwap", function (ev) {
    openHooks = Array.prototype.map.call(ev.detail.target.querySelectorAll(".hook > details[open]"),
      function (d) { return d.parentElement.dataset.webhookId; });
    keptOpen = {};
    ev.detail.target.querySelectorAll("details[data-keep]").forEach(function (d) { keptOpen[d.dataset.keep] = d.open; });
    kept = {};
    ev.detail.target.querySelectorAll("select[id], input[id]").forEach(function (el) { kept[el.id] = el.value; });
  });
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    openHooks.forEach(function (id) {
      var d = ev.detail.target.querySelector('.hook[data-webhook-id="' + id + '"] > details');
      if (d) d.open = true;
    });
    ev.detail.target.querySelectorAll("details[data-keep]").forEach(function (d) {
      if (d.dataset.keep in keptOpen) d.open = keptOpen[d.dataset.keep];
    });
    Object.keys(kept).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && ev.detail.target.contains(el)) el.value = kept[id];
    });
  });

  // The open message was deleted (here or elsewhere): its live region says so instead of going stale.
  document.body.addEventListener("htmx:responseError", function (ev) {
    var target = ev.detail.target;
    if (!target || target.id !== "detail" || ev.detail.xhr.status !== 404) return;
    target.innerHTML = '<p class="empty" id="detail-gone">This message was deleted. <a href="/">Back to the inbox</a></p>';
  });

  // After a reconnect (server restart), re-read everything: events in between may be gone.
  var opens = 0;
  document.body.addEventListener("htmx:sseOpen", function () {
    document.body.dataset.live = "open";  // the header's live dot (and tests) read this
    if (opens++ > 0) refresh();
  });
  document.body.addEventListener("htmx:sseError", function () { document.body.dataset.live = "lost"; });

  // Unread badge: messages and MO messages that arrived since this browser last looked at the inbox list
  // (the newest ids it saw, in localStorage). Looking at the list's first page marks everything seen.
  var SEEN = "mockserver.inbox.seen", title = document.title, unreadTimer = null;
  function seenIds() { try { return JSON.parse(localStorage.getItem(SEEN)); } catch (e) { return null; } }
  function onFirstPage() { return !!document.getElementById("rows") && document.visibilityState !== "hidden"; }
  async function refreshUnread() {
    var seen = seenIds(), query = seen ? "?message=" + seen.message + "&inbound=" + seen.inbound : "";
    var reply;
    try { reply = await fetch("/inbox/unread" + query, { headers: { Accept: "application/json" } }); } catch (e) { return; }
    if (!reply.ok) return;
    var body = await reply.json(), count = body.unread;
    if (!seen || onFirstPage()) { localStorage.setItem(SEEN, JSON.stringify(body.latest)); count = 0; }
    var badge = document.getElementById("unread-count");
    if (badge) { badge.textContent = count; badge.hidden = !count; }
    document.title = (count ? "(" + count + ") " : "") + title;
  }
  function unreadSoon() { clearTimeout(unreadTimer); unreadTimer = setTimeout(refreshUnread, 150); }
  // #unread-watch (base.html) is how the page hears the stream's arrivals: htmx's SSE extension listens only
  // for the events an element asks for; each answer it gets is the cue to recount with this browser's ids.
  document.body.addEventListener("htmx:afterRequest", function (ev) {
    if (ev.detail.elt && ev.detail.elt.id === "unread-watch") unreadSoon();
  });
  document.addEventListener("visibilitychange", unreadSoon);
  refreshUnread();

  // The sandbox clock keeps running between events unless frozen.
  var base = { now: 0, at: 0, frozen: true };
  function readClock() {
    var el = document.querySelector(".clock");
    if (!el) return;
    base = { now: Number(el.dataset.now), at: Date.now() / 1000, frozen: el.dataset.frozen === "true" };
  }
  document.body.addEventListener("htmx:afterSettle", readClock);
  readClock();
  setInterval(function () {
    var el = document.getElementById("clock-time");
    if (!el || base.frozen) return;
    var now = new Date((base.now + Date.now() / 1000 - base.at) * 1000).toISOString();
    el.textContent = now.slice(0, 10) + " " + now.slice(11, 19);
  }, 1000);
})();
