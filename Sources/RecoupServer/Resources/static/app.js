// Recoup's pages: progressive enhancement only. Every action is a plain form that works without this script; the
// script refreshes the lane board, counts down a lease, adds keyboard shortcuts and stops double submits.
(function () {
  "use strict";

  // A form submits once: its buttons are disabled as it goes (the server also stores one inspection per item).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    // The post's data is taken before the buttons are disabled (a review's decision button included).
    if (form.method.toLowerCase() === "post") {
      setTimeout(function () { form.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); }, 0);
    }
  });

  // The lane board: replace the table in place every 5 seconds; a lost session goes back to sign-in.
  function refreshBoard() {
    var board = document.getElementById("lanes");
    if (!board || !board.dataset.refresh) return;
    if (document.activeElement && board.contains(document.activeElement)) return; // do not move a focused button
    fetch(board.dataset.refresh, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected && response.url.indexOf("/ui/sign-in") >= 0) { window.location.assign(response.url); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#lanes");
        var current = document.getElementById("lanes");
        if (fresh && current) current.replaceWith(fresh);
      })
      .catch(function () { /* the next round tries again */ });
  }
  if (document.getElementById("lanes")) setInterval(refreshBoard, 5000);

  // The lease countdown.
  var countdown = document.getElementById("lease-countdown");
  if (countdown && countdown.dataset.expiresAt) {
    var ends = Date.parse(countdown.dataset.expiresAt);
    var tick = function () {
      var left = Math.round((ends - Date.now()) / 1000);
      if (left <= 0) { countdown.textContent = "expired: claim again"; countdown.classList.add("expired"); return; }
      var m = Math.floor(left / 60), s = left % 60;
      countdown.textContent = "in " + m + ":" + (s < 10 ? "0" : "") + s;
      setTimeout(tick, 1000);
    };
    tick();
  }

  // Remember which claim holds which item, so that scanning a held item opens it with its inspection form.
  var inspection = document.getElementById("inspection-form");
  if (inspection && inspection.dataset.claim) {
    try { sessionStorage.setItem("claim:" + inspection.dataset.returnId, inspection.dataset.claim); } catch (e) {}
  }
  var scanForm = document.getElementById("scan-form");
  if (scanForm) {
    scanForm.addEventListener("submit", function () {
      var id = (scanForm.elements.return_id.value || "").trim();
      var claim = null;
      try { claim = sessionStorage.getItem("claim:" + id); } catch (e) {}
      if (claim && !scanForm.elements.claim) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "claim"; hidden.value = claim;
        scanForm.appendChild(hidden);
      }
    });
  }

  // Keyboard: 1-4 or a-d grade, Ctrl+Enter completes the inspection, "/" focuses the scan box, "n" claims next.
  function typing(target) {
    if (target && target.tagName === "INPUT" && (target.type === "radio" || target.type === "checkbox")) return false;
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (inspection && (event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      if (inspection.requestSubmit) inspection.requestSubmit(); else inspection.submit();
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (inspection) {
      var grade = { "1": "A", "2": "B", "3": "C", "4": "D", "a": "A", "b": "B", "c": "C", "d": "D" }[event.key.toLowerCase()];
      if (grade) {
        var radio = inspection.querySelector('input[name="grade"][value="' + grade + '"]');
        if (radio) { radio.checked = true; radio.focus(); event.preventDefault(); }
        return;
      }
    }
    var scan = document.getElementById("scan");
    if (event.key === "/" && scan) { event.preventDefault(); scan.focus(); return; }
    if (event.key === "n") {
      var next = document.querySelector("button.claim-next:not([disabled])");
      if (next) { event.preventDefault(); next.click(); }
    }
  });
})();
