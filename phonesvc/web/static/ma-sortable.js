// Drag and drop for the ordered lists of a group's sections (Members, Announcements). A list element with
// data-order-url holds rows with data-id; dragging a row by its .drag handle posts the ids in their new
// order (htmx sends the CSRF header) and puts the section the server answers with (data-target) in place,
// so the indexes follow and a refused order shows its message. The Move buttons do the same without a mouse.
htmx.onLoad((root) => {
  const lists = root.matches?.("[data-order-url]") ? [root] : root.querySelectorAll("[data-order-url]");
  for (const list of lists) {
    Sortable.create(list, {
      handle: ".drag",
      forceFallback: true, // mouse and touch events: the same on every browser and in tests
      onEnd: (event) => {
        if (event.oldIndex === event.newIndex) return;
        const ids = [...list.querySelectorAll(":scope > [data-id]")].map((row) => row.dataset.id);
        const target = list.dataset.target;
        htmx.ajax("POST", list.dataset.orderUrl,
                  {source: list, values: {order: ids.join(",")}, target: target, select: target, swap: "outerHTML"});
      },
    });
  }
});
