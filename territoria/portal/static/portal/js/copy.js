/* "Copy" buttons: [data-copy-target] copies the text of the element with that id, using the
 * asynchronous clipboard API where the page is a secure context, and a selection + execCommand
 * fallback elsewhere (plain http on an intranet). The outcome is announced in the next
 * [role=status] sibling. */
(function () {
  "use strict";

  function fallbackCopy(node) {
    var selection = window.getSelection();
    var range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    return done;
  }

  function announce(button, message) {
    var status = button.parentNode.querySelector("[role=status]");
    if (status) status.textContent = message || "";
  }

  function copy(button) {
    var node = document.getElementById(button.getAttribute("data-copy-target"));
    if (!node) return;
    var text = node.textContent.trim();
    var ok = button.getAttribute("data-msg-copied");
    var failed = button.getAttribute("data-msg-failed");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { announce(button, ok); },
        function () { announce(button, fallbackCopy(node) ? ok : failed); }
      );
    } else {
      announce(button, fallbackCopy(node) ? ok : failed);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-target]"), function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
})();
