// Optional location for a field report: fills the hidden latitude/longitude inputs when the worker asks.
(function () {
  var button = document.getElementById("locate");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(6);
      document.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(6);
      button.textContent = button.dataset.done;
    }, function () {
      button.textContent = button.dataset.fail;
      button.disabled = false;
    }, { timeout: 10000, maximumAge: 60000 });
  });
})();
