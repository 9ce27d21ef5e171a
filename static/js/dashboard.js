// The town's twelve-month charts, drawn from the JSON the page carries (no inline script).
(function () {
  var source = document.getElementById("trend-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab"];
  function colour(i) { return palette[i % palette.length]; }
  function series(list, fill) {
    return list.map(function (s, i) {
      return { label: s.label, data: s.data, borderColor: colour(i), backgroundColor: colour(i), fill: fill, spanGaps: true, tension: 0.2 };
    });
  }
  var common = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } };
  new Chart(document.getElementById("chart-coverage"), {
    type: "line", data: { labels: data.labels, datasets: series(data.coverage, false) },
    options: Object.assign({}, common, { scales: { y: { min: 0, max: 100 } } })
  });
  new Chart(document.getElementById("chart-cases"), {
    type: "bar", data: { labels: data.labels, datasets: series(data.cases, true) },
    options: Object.assign({}, common, { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } })
  });
  new Chart(document.getElementById("chart-mediation"), {
    type: "line", data: { labels: data.labels, datasets: [{ label: source.dataset.mediation || "", data: data.mediation, borderColor: colour(2), spanGaps: true }] },
    options: Object.assign({}, common, { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } } })
  });
})();
