/* The print page's "打印本页" button: shown only where this script runs (it is hidden in
   the markup), and asks the browser to print. The page prints as well from the browser's
   own menu; print.css does the layout. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
