// The town's Party meeting compliance: one bar per village, worst first, from the JSON the page carries.
(function () {
  var source = document.getElementById("party-compliance-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  new Chart(document.getElementById("chart-party-on-time"), {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.on_time, backgroundColor: "#c62828" }] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { min: 0, max: 100 } }
    }
  });
})();
