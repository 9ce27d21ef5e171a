// A double tap sends one request (the token makes any retry harmless anyway).
// The case category list follows the finding: only the chosen kind's categories, and none when the
// finding opens no case. Without this script the server checks the pair and says what is wrong.
(function () {
  var form = document.querySelector(".visit-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });

  var finding = form.querySelector("select[name=finding]");
  var category = form.querySelector("select[name=case_category]");
  var label = form.querySelector("[data-case-category]");
  if (!finding || !category || !finding.dataset.caseKinds) return;
  var kinds = JSON.parse(finding.dataset.caseKinds);
  // Every option as the server rendered it (the empty one and each kind's group), kept aside.
  var all = Array.prototype.map.call(category.options, function (option) {
    return { value: option.value, text: option.text, selected: option.selected };
  });

  function follow() {
    var kind = kinds[finding.value];
    if (label) label.hidden = !kind;
    var chosen = category.value;
    while (category.options.length) category.remove(0);
    all.forEach(function (o) {
      if (o.value === "" || (kind && o.value.indexOf(kind + ".") === 0)) {
        var option = new Option(o.text, o.value, false, o.value === chosen);
        category.add(option);
      }
    });
    if (category.value !== chosen) category.value = "";
  }
  finding.addEventListener("change", follow);
  follow();
})();
