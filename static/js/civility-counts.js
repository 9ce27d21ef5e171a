// The town's 德治/法治 counts: one bar per village for the figure chosen, from the JSON the page carries.
(function () {
  var source = document.getElementById("civility-counts-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  new Chart(document.getElementById("chart-civility"), {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "#2e7d32" }] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true } }
    }
  });
})();
