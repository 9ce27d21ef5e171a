// A double tap sends one request (the token makes any retry harmless anyway).
(function () {
  var form = document.querySelector(".visit-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
})();
