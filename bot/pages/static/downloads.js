// 下载: keep each table's link in step with the chosen period (no network, no library).
(function () {
  var form = document.getElementById("period");
  function update() {
    var data = new FormData(form);
    var query = "period=" + encodeURIComponent(data.get("period") || "week");
    if (data.get("period") === "custom") {
      query += "&from=" + encodeURIComponent(data.get("from") || "") +
        "&to=" + encodeURIComponent(data.get("to") || "");
    }
    document.querySelectorAll("a.dl").forEach(function (a) {
      a.href = a.href.split("?")[0] + "?" + query;
    });
  }
  form.addEventListener("change", update);
  update();
})();
