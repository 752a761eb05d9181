// Suggestions as one types in a search box: titles from the catalog, offered by the browser's own
// list (a <datalist>).  Only a help: without this script the search form works the same.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("list"));
    var timer = null, asked = "";
    if (!list) { return; }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = box.value.trim();
        if (!text || text === asked) { return; }
        asked = text;
        fetch(box.getAttribute("data-suggest") + "?limit=8&q=" + encodeURIComponent(text),
              {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (answer) { return answer.ok ? answer.json() : {titles: []}; })
          .then(function (found) {
            if (box.value.trim() !== text) { return; }
            list.replaceChildren.apply(list, (found.titles || []).map(function (hit) {
              var option = document.createElement("option");
              option.value = hit.title;
              return option;
            }));
          })
          .catch(function () { /* no suggestions: the box still works */ });
      }, 150);
    });
  });
}());
