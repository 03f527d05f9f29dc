/* Kiosk mode: back to the start page after the idle time, and never off the kiosk.
 *
 * The page's <body> carries data-kiosk-idle-seconds (settings.SERVICES_KIOSK_IDLE_SECONDS)
 * and data-kiosk-home (the kiosk's start page). Any touch, click, key, wheel or scroll
 * restarts the count; a notice shows in the last seconds. Links that would leave the
 * kiosk (a link inside a published record, say) are held: the screen has no way back
 * from another site.
 */
(function () {
  "use strict";

  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-kiosk-idle-seconds"), 10);
  var home = body.getAttribute("data-kiosk-home");
  if (!home || !(seconds > 0)) {
    return;
  }
  var notice = document.querySelector("[data-kiosk-notice]");
  // Warn 20 s ahead (WCAG 2.2.1: at least 20 s to extend with a simple action, here any
  // touch) when the idle time is long enough for a warning to mean something.
  var warnSeconds = seconds >= 40 ? 20 : 0;
  var last = Date.now();
  var leaving = false;

  function activity() {
    last = Date.now();
    if (notice && !notice.hidden) {
      notice.hidden = true;
    }
  }

  ["pointerdown", "touchstart", "mousedown", "click", "keydown", "wheel", "scroll"].forEach(
    function (type) {
      // Capture on window also hears scrolls of inner boxes, which do not bubble.
      window.addEventListener(type, activity, { capture: true, passive: true });
    }
  );

  function check() {
    if (leaving) {
      return;
    }
    var idle = (Date.now() - last) / 1000;
    if (idle >= seconds) {
      leaving = true;
      // replace(): the idle return is not a step anyone should go "back" to.
      window.location.replace(home);
      return;
    }
    if (warnSeconds && notice && seconds - idle <= warnSeconds) {
      notice.hidden = false;
    }
  }
  window.setInterval(check, 250);

  // A page restored from the back-forward cache starts its count afresh.
  window.addEventListener("pageshow", function () {
    leaving = false;
    activity();
  });

  var origin = window.location.origin;
  var scope = home;
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) {
      return;
    }
    var url;
    try {
      url = new URL(link.href, window.location.href);
    } catch (error) {
      event.preventDefault();
      return;
    }
    if (url.origin !== origin || url.pathname.indexOf(scope) !== 0 || link.target) {
      event.preventDefault();
    }
  });
})();
