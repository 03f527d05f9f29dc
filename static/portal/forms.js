/* Loaded only by a page whose form was refused (templates/portal/_form.html, a ballot):
 * the focus goes to the alert that says what to correct, so a screen reader reads it
 * and the keyboard goes on from there to the fields. The alert's autofocus does this
 * alone, except when the address carries a #fragment (the skip link used before sending,
 * say): browsers then skip autofocus, and Chromium focuses the fragment's target once the
 * page has loaded, so the focus is set again after that. No inline script: the CSP.
 */
(function () {
  "use strict";
  function focusAlert() {
    var alert = document.querySelector("[role=alert][autofocus]");
    if (alert && document.activeElement !== alert) {
      alert.focus();
    }
  }
  focusAlert();
  if (window.location.hash) {
    window.addEventListener("load", function () {
      window.setTimeout(focusAlert, 0);
    });
  }
})();
