// Assignment form: show only the place field the chosen role needs (the form works without this too).
(function () {
  var role = document.getElementById("id_role");
  if (!role) return;
  var placeFor = { grid_worker: "id_grid", liaison: "id_micro_grid", info_officer: "id_villager_group" };
  function update() {
    Object.keys(placeFor).forEach(function (key) {
      var field = document.getElementById(placeFor[key]);
      if (field) field.closest("label").hidden = key !== role.value;
    });
  }
  role.addEventListener("change", update);
  update();
})();
