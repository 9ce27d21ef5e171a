// "返回上一页" on the error pages: go back in the browser's history when there is one (the link's own
// address, the page before or the home page, serves when there is not or scripts are off).
document.querySelectorAll("a[data-back]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
});
