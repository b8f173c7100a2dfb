// Bring the first marked match into view on the document page.
document.addEventListener("DOMContentLoaded", function () {
  var first = document.getElementById("first-match");
  if (first) first.scrollIntoView({ block: "center" });
});
