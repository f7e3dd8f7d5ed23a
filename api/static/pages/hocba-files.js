// A file chosen for upload larger than the server accepts is refused here, before the form is
// sent: the browser keeps everything typed in the form, where the server could only answer
// 413 without reading it. The limit and the Vietnamese message come from the input's
// data-max-bytes and data-too-large attributes; the server still checks the size itself.
(function () {
  "use strict";
  function check(input) {
    var max = Number(input.dataset.maxBytes);
    var files = input.files ? Array.prototype.slice.call(input.files) : [];
    var tooLarge = files.some(function (file) { return file.size > max; });
    input.setCustomValidity(tooLarge ? input.dataset.tooLarge || "Tệp quá lớn." : "");
    if (tooLarge) {
      input.reportValidity();
    }
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.maxBytes) {
      check(input);
    }
  });
})();
