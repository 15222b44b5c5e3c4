/* The job page follows its job: every second it fetches the page's status fragment
 * (#job-status, ?fragment=1, rendered and translated by the server) and swaps it in, until
 * the fragment no longer asks to be polled (the job has finished). No inline script: the URL
 * comes from the fragment's data-poll-url attribute. */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;

  function schedule() {
    var section = document.getElementById("job-status");
    var url = section && section.getAttribute("data-poll-url");
    if (url) window.setTimeout(function () { poll(url); }, INTERVAL_MS);
  }

  function poll(url) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.getElementById("job-status");
        var current = document.getElementById("job-status");
        if (fresh && current) current.replaceWith(fresh);
        schedule();
      })
      .catch(function () {
        window.setTimeout(function () { poll(url); }, INTERVAL_MS * 5);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", schedule);
  } else {
    schedule();
  }
})();
