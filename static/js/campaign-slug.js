// Prefills a new campaign's address (slug) from its title as it is typed, the way Django's
// slugify makes it on the server when the field is left blank. Once the person edits the address
// themselves it is left alone. Without this script the server fills it in on save.
(function () {
  "use strict";
  var title = document.getElementById("id_title");
  var slug = document.getElementById("id_slug");
  if (!title || !slug || slug.disabled) {
    return;
  }
  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[^\x00-\x7f]/g, "")
      .replace(/[^\w\s-]/g, "")
      .trim()
      .toLowerCase()
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "")
      .slice(0, 80);
  }
  var touched = slug.value !== "" && slug.value !== slugify(title.value);
  slug.addEventListener("input", function () {
    touched = slug.value !== "";
  });
  title.addEventListener("input", function () {
    if (!touched) {
      slug.value = slugify(title.value);
    }
  });
})();
