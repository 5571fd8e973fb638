// Focal-point picker of the media page: a click on the image sets the fix form's x and y
// (fractions 0..1) and moves the marker. Without JavaScript the inputs work on their own.
(function () {
  "use strict";
  function init() {
    var picker = document.getElementById("focal-picker");
    var img = document.getElementById("media-image");
    var mark = document.getElementById("focal-mark");
    var fx = document.getElementById("focal_x");
    var fy = document.getElementById("focal_y");
    if (!picker || !img || !fx || !fy) return;
    function place(x, y) {
      mark.style.left = (x * 100) + "%";
      mark.style.top = (y * 100) + "%";
    }
    img.addEventListener("click", function (ev) {
      var box = img.getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (ev.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (ev.clientY - box.top) / box.height));
      fx.value = x.toFixed(2);
      fy.value = y.toFixed(2);
      place(x, y);
    });
    function typed() {
      var x = parseFloat(fx.value), y = parseFloat(fy.value);
      if (!isNaN(x) && !isNaN(y)) place(Math.min(1, Math.max(0, x)), Math.min(1, Math.max(0, y)));
    }
    fx.addEventListener("input", typed);
    fy.addEventListener("input", typed);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
