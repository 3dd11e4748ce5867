// Counts the recap as read when a person is reading it, not when the page loads: mail
// scanners load every link (some run this script too) but rarely stay on screen or scroll.
// Read = on screen for data-read-after seconds, or a scroll, key or tap once it has been on
// screen for data-read-after-scroll seconds. Hidden time does not count. One POST, ever.
(function () {
  "use strict";
  var form = document.getElementById("recap-read");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var url = form.getAttribute("data-read-url");
  var token = form.elements.namedItem("token").value;
  var readAfter = Number(form.getAttribute("data-read-after")) * 1000;
  var readAfterScroll = Number(form.getAttribute("data-read-after-scroll")) * 1000;
  var seenBefore = 0; // ms on screen before the current stretch
  var since = null; // start of the current stretch on screen
  var interacted = false;
  var sent = false;
  var timer = null;
  var events = ["scroll", "wheel", "keydown", "pointerdown", "touchstart"];

  function onScreen() {
    return seenBefore + (since === null ? 0 : performance.now() - since);
  }

  function stop() {
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
    events.forEach(function (name) { window.removeEventListener(name, onInteraction, true); });
  }

  function send() {
    sent = true;
    stop();
    fetch(url, {
      method: "POST",
      body: new URLSearchParams({ token: token }),
      credentials: "omit",
      keepalive: true,
    }).catch(function () { /* offline: the download button still counts */ });
  }

  function check() {
    clearTimeout(timer);
    if (sent || since === null) return;
    var seen = onScreen();
    var due = interacted ? readAfterScroll : readAfter;
    if (seen >= due) {
      send();
    } else {
      timer = setTimeout(check, due - seen);
    }
  }

  function onVisibility() {
    if (document.visibilityState === "visible") {
      if (since === null) since = performance.now();
    } else if (since !== null) {
      seenBefore += performance.now() - since;
      since = null;
    }
    check();
  }

  function onInteraction() {
    if (document.visibilityState !== "visible") return;
    interacted = true;
    check();
  }

  document.addEventListener("visibilitychange", onVisibility);
  events.forEach(function (name) {
    window.addEventListener(name, onInteraction, { capture: true, passive: true });
  });
  onVisibility();
})();
