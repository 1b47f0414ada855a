/* Traza: how far an upload has gone. A form marked data-upload that posts with htmx shows its
   [data-upload-progress] box: the bar follows the bytes sent (htmx:xhr:progress), then the text says the server
   is working on the file until the answer replaces the form, and the focus then goes to what the answer says. The
   top bar of static/js/app.js shows the request as for any htmx request. Without JavaScript the form is a plain
   post and none of this runs. */
(function () {
  "use strict";

  var box = function (event) {
    var form = event.target;
    return form && form.matches && form.matches("form[data-upload]") ? form.querySelector("[data-upload-progress]") : null;
  };
  var show = function (el, on) { if (el) { el.hidden = !on; } };

  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var progress = box(event);
    if (!progress || progress.getAttribute("data-state")) { return; }
    progress.setAttribute("data-state", "sending");
    progress.querySelector("progress").value = 0;
    show(progress.querySelector("[data-upload-sending]"), true);
    show(progress.querySelector("[data-upload-checking]"), false);
    show(progress, true);
  });
  // htmx reports the upload's progress and then the answer's under one name: the first loadend ends the upload.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var progress = box(event);
    var detail = event.detail || {};
    if (!progress || progress.getAttribute("data-state") !== "sending" || !detail.lengthComputable) { return; }
    progress.querySelector("progress").value = Math.round(100 * detail.loaded / Math.max(detail.total, 1));
  });
  document.addEventListener("htmx:xhr:loadend", function (event) {
    var progress = box(event);
    if (!progress || progress.getAttribute("data-state") !== "sending") { return; }
    progress.setAttribute("data-state", "checking");
    var bar = progress.querySelector("progress");
    bar.value = 100;
    bar.removeAttribute("value"); // indeterminate while the server reads the rows
    show(progress.querySelector("[data-upload-sending]"), false);
    show(progress.querySelector("[data-upload-checking]"), true);
  });
  // The answer replaced the form, and the focus with it: it goes to what the answer says (the result's heading, or
  // the field with the error) so that keyboard and screen-reader users carry on from there.
  document.addEventListener("htmx:afterSettle", function () {
    if (document.activeElement && document.activeElement !== document.body) { return; }
    var next = document.querySelector("#client-import .has-error input, #client-import .has-error select, " +
                                      "#client-import [data-focus-after-upload]");
    if (next) { next.focus(); }
  });
  // An answer that did not replace the form (a network error): ready for another try.
  document.addEventListener("htmx:afterRequest", function (event) {
    var progress = box(event);
    if (!progress) { return; }
    progress.removeAttribute("data-state");
    show(progress, false);
  });
})();
